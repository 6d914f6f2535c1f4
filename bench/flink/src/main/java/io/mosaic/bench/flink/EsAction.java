package io.mosaic.bench.flink;

/**
 * One Elasticsearch action derived from one change event: a full-document index request
 * ({@code json != null}) or a delete ({@code json == null}). A Flink POJO (public no-arg
 * constructor, public fields) so it gets the efficient PojoSerializer.
 */
public class EsAction {
    public String id;
    /** Full document JSON, or {@code null} for a delete. */
    public String json;

    public EsAction() {}

    public EsAction(String id, String json) {
        this.id = id;
        this.json = json;
    }

    public boolean isDelete() {
        return json == null;
    }

    @Override
    public String toString() {
        return isDelete() ? "delete(" + id + ")" : "index(" + id + ", " + json + ")";
    }
}
