package io.mosaic.source;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.connect.data.Struct;

/**
 * Turns a change's Debezium {@code source} block into one 63-bit version that orders the changes of
 * <em>one row</em> of that source in commit order, so that it can be handed to Elasticsearch as an
 * external version. Versions only ever compare between changes of the same row (every contribution to
 * a document is versioned on its own), which is what makes a single number sufficient.
 * <ul>
 * <li>PostgreSQL: transactions arrive in commit order, but a change's own LSN can be lower than that of
 * a transaction committed before it when the two touch different rows (they interleave in the WAL).
 * For the same row this cannot happen: a transaction that changes a row holds its lock until it
 * commits, so the next change of that row is written after that commit. The version is
 * {@code max(lsn, sequence[0] + 1)}, where Debezium's {@code sequence[0]} is never above the
 * transaction's own commit, so per row it is strictly increasing across transactions and
 * non-decreasing within one (equal versions are applied in order, see {@code external_gte}).
 * Snapshot reads take the snapshot's LSN. Creating the replication slot waits for every transaction
 * that has already written to finish, and the snapshot reads exactly what was committed at the slot's
 * consistent point; every streamed change is therefore at or after the snapshot's LSN. (This is why a
 * re-snapshot always goes with a new slot: on an old slot, a transaction in flight during the snapshot
 * could carry a lower LSN than the snapshot.)</li>
 * <li>MySQL/MariaDB: binlog order is commit order. The version packs the binlog file's number (22 bits),
 * the event's position (32 bits) and the row within the event (9 bits), so file rotation keeps it
 * increasing.</li>
 * </ul>
 */
public final class SourcePosition {

    private static final Pattern SEQUENCE = Pattern.compile("\\[\\s*(null|\"(\\d*)\")\\s*,\\s*(null|\"(\\d*)\")\\s*]");
    private static final Pattern FILE_NUMBER = Pattern.compile("\\.(\\d+)$");

    private SourcePosition() {
    }

    /** Version of a PostgreSQL change from the fields of its source block. */
    public static long postgres(long lsn, String sequence, boolean snapshot) {
        if (snapshot || sequence == null) {
            return lsn;
        }
        Matcher m = SEQUENCE.matcher(sequence);
        if (!m.matches() || m.group(2) == null || m.group(2).isEmpty()) {
            return lsn;
        }
        long lastCommit = Long.parseLong(m.group(2));
        return Math.max(lsn, lastCommit + 1);
    }

    /** Version of a MySQL/MariaDB change from its binlog file name, event position and row in the event. */
    public static long binlog(String file, long pos, int row) {
        Matcher m = FILE_NUMBER.matcher(file == null ? "" : file);
        long fileNumber = m.find() ? Long.parseLong(m.group(1)) : 0;
        long clampedPos = Math.min(Math.max(pos, 0), 0xFFFF_FFFFL);
        long clampedRow = Math.min(Math.max(row, 0), 511);
        return (Math.min(fileNumber, (1L << 22) - 1) << 41) | (clampedPos << 9) | clampedRow;
    }

    /** The version of a change, read from its Debezium source struct. */
    public static long of(Struct source, boolean binlog) {
        return of(source, binlog, null);
    }

    /**
     * As {@link #of(Struct, boolean)}; {@code offset} is the record's source offset, whose LSN stands in
     * for a PostgreSQL row of an incremental snapshot chunk, which carries none in its source block.
     * Debezium emits a chunk when the stream reaches the chunk's closing watermark, so that LSN orders
     * the chunk's rows after every change the chunk read and before every change after it (a change
     * whose transaction was still open at the watermark commits later and so gets a version above the
     * watermark's commit, see {@link #postgres}).
     */
    public static long of(Struct source, boolean binlog, Map<String, ?> offset) {
        boolean snapshot = isSnapshot(source);
        if (binlog) {
            Object row = source.get("row");
            return binlog(source.getString("file"), source.getInt64("pos"), row == null ? 0 : ((Number) row).intValue());
        }
        Object sequence = source.schema().field("sequence") != null ? source.get("sequence") : null;
        return postgres(lsn(source, offset), sequence == null ? null : sequence.toString(), snapshot);
    }

    private static long lsn(Struct source, Map<String, ?> offset) {
        Long lsn = source.getInt64("lsn");
        if (lsn != null) {
            return lsn;
        }
        if (offset != null && offset.get("lsn") instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalStateException("a change event carries no LSN, neither in its source block nor in its offset");
    }

    /** A short human description of where a change is in its source, for logs and dead letters. */
    public static String describe(Struct source, boolean binlog) {
        return describe(source, binlog, null);
    }

    public static String describe(Struct source, boolean binlog, Map<String, ?> offset) {
        if (binlog) {
            return source.getString("file") + ":" + source.getInt64("pos") + "#" + source.get("row");
        }
        return formatLsn(lsn(source, offset)) + (isSnapshot(source) ? " (snapshot)" : "");
    }

    /** An LSN in PostgreSQL's own form ({@code %X/%X}, as {@code 1A/2B3C4D}). */
    static String formatLsn(long lsn) {
        // without String.format, which ran for every change (profiled: 1-3%)
        return Long.toHexString(lsn >>> 32).toUpperCase(Locale.ROOT) + "/" + Long.toHexString(lsn & 0xFFFF_FFFFL).toUpperCase(Locale.ROOT);
    }

    static boolean isSnapshot(Struct source) {
        Object s = source.schema().field("snapshot") != null ? source.get("snapshot") : null;
        return s != null && !"false".equals(s.toString());
    }
}
