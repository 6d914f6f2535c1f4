package io.mosaic.writer;

/** Where rows that cannot be written go, so that the pipeline can carry on without losing them. */
@FunctionalInterface
public interface DeadLetterSink {

    void accept(DeadLetter letter) throws Exception;
}
