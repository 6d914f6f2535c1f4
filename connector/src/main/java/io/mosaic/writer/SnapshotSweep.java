package io.mosaic.writer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.mosaic.mapping.CollectionMapping;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.DocumentState;
import io.mosaic.mapping.MappingSet;
import io.mosaic.mapping.NestedGroup;
import io.mosaic.model.RowChange;
import io.mosaic.model.TableRef;

/**
 * Ends a completed snapshot of a source taken at a version: every row of that source still known at a
 * lower version was not in the snapshot, so it no longer exists — a snapshot cannot say so itself (it
 * only emits rows that are there). This finds such rows; the writer then deletes them at the snapshot's
 * version, through the normal ordered path. It matters whenever a snapshot is repeated: after one that
 * was interrupted (a crash, a database restart) or a re-snapshot.
 *
 * <p>A {@code TRUNCATE} is the same question about one table: every row of it known at a version below
 * the truncate's is deleted at the truncate's version ({@link #truncateDeletes}). The deletes leave
 * tombstones at that version, so a replayed older change cannot bring a row back, and a row written
 * after the truncate (a higher version) survives.
 */
final class SnapshotSweep {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SnapshotSweep.class);

    private final MappingSet mappings;
    private final StateIndex state;
    private final DirectWrites direct;

    SnapshotSweep(MappingSet mappings, StateIndex state, DirectWrites direct) {
        this.mappings = mappings;
        this.state = state;
        this.direct = direct;
    }

    /** The deletes that remove every row of {@code source} older than {@code snapshotVersion}. */
    List<RowChange> deletes(String source, long snapshotVersion) throws Exception {
        return deletes(source, snapshotVersion, t -> true, "snapshot sweep", true);
    }

    /** The deletes that remove every row of {@code table} older than a truncate of it at {@code version}. */
    List<RowChange> truncateDeletes(TableRef table, long version, String position) throws Exception {
        return deletes(table.source(), version, t -> t.id().equals(table.id()), "truncate at " + position, false);
    }

    private List<RowChange> deletes(String source, long snapshotVersion, Predicate<TableRef> tables, String position, boolean snapshot)
            throws Exception {
        List<RowChange> deletes = new ArrayList<>();
        for (DocumentMapping m : mappings.documents()) {
            if (m.isSingleTable()) {
                if (m.root().source().equals(source) && tables.test(m.root())) {
                    direct.keysOlderThan(m, snapshotVersion, key -> {
                        // the _id is the key's text; a composite one splits back into its columns (Keys)
                        Map<String, Object> row;
                        try {
                            row = m.rootKey().row(key);
                        } catch (IllegalArgumentException e) {
                            // written under another key (the mapping's key changed without a new index version)
                            LOG.warn("{}: document {} has no _id of key {}; the sweep leaves it, delete it by hand", m.alias(), key,
                                    m.rootKey());
                            return;
                        }
                        deletes.add(sweepDelete(m.root(), row, snapshotVersion, position, snapshot));
                    });
                }
                continue;
            }
            if (!m.sources().contains(source)) {
                continue;
            }
            state.refresh(m.stateIndex());
            state.lookupsOlderThan(m.stateIndex(), source, snapshotVersion, d -> {
                String tableId = StateIndex.lookupTable(d);
                TableRef table = mappings.allTables().stream().filter(t -> t.id().equals(tableId)).findFirst().orElse(null);
                Map<String, Object> row = StateIndex.lookupRow(d);
                if (table != null && row != null && tables.test(table)) {
                    deletes.add(sweepDelete(table, row, snapshotVersion, position, snapshot));
                }
            });
            boolean root = m.root().source().equals(source) && tables.test(m.root());
            List<CollectionMapping> collections = m.collections().stream()
                    .filter(c -> c.table().source().equals(source) && tables.test(c.table())).toList();
            boolean nested = m.collections().stream().flatMap(c -> c.collections().stream())
                    .anyMatch(n -> n.table().source().equals(source) && tables.test(n.table()));
            if (!root && collections.isEmpty() && !nested) {
                continue;
            }
            state.statesOlderThan(m.stateIndex(), source, snapshotVersion, d -> {
                if (StateIndex.isNested(d)) {
                    // the rows of nested collections under one element (see NestedWrites)
                    NestedGroup g = StateIndex.decodeNested(d);
                    m.collections().stream().filter(c -> c.name().equals(g.collection())).flatMap(c -> c.collections().stream())
                            .filter(n -> n.table().source().equals(source) && tables.test(n.table()))
                            .forEach(n -> g.rows(n.name()).values().forEach(row -> {
                                if (row.present() && row.version() < snapshotVersion) {
                                    deletes.add(sweepDelete(n.table(), row.row(), snapshotVersion, position, snapshot));
                                }
                            }));
                    return;
                }
                DocumentState s = StateIndex.decode(d);
                if (root && s.root() != null && s.root().present() && s.root().version() < snapshotVersion) {
                    deletes.add(sweepDelete(m.root(), s.root().row(), snapshotVersion, position, snapshot));
                }
                for (CollectionMapping c : collections) {
                    s.children(c.name()).values().forEach(child -> {
                        if (child.present() && child.version() < snapshotVersion) {
                            deletes.add(sweepDelete(c.table(), child.row(), snapshotVersion, position, snapshot));
                        }
                    });
                }
            });
        }
        return deletes;
    }

    private static RowChange sweepDelete(TableRef table, Map<String, Object> row, long version, String position, boolean snapshot) {
        return new RowChange(table, RowChange.Op.DELETE, row, null, version, position, snapshot);
    }
}
