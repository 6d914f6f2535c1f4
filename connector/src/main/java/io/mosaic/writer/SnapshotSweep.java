package io.mosaic.writer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.mosaic.mapping.CollectionMapping;
import io.mosaic.mapping.Contribution;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.DocumentState;
import io.mosaic.mapping.MappingSet;
import io.mosaic.mapping.NestedGroup;
import io.mosaic.mapping.TableRole;
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
 *
 * <p><b>Replayed after a crash.</b> A delete's state write and its public write are two bulks; the process
 * may die between them (a truncate's position is not committed then, nor a snapshot's end, so the sweep
 * runs again). The rows it deleted are then tombstones at its very version, no longer present rows, and a
 * sweep that looked for present rows alone would leave those documents as they were published before
 * (elements, lookup values or whole documents that are gone): nothing else republishes a document no
 * other row of which changes. So the rows of the swept tables deleted at exactly the sweep's version are
 * deleted again at it (an equal version applies over a tombstone, see {@link io.mosaic.mapping.Contribution#acceptsVersion}),
 * which writes their states and documents through the normal path once more. Outside of a replay no row
 * is deleted at a truncate's version before the truncate itself deletes it, so nothing more is written.
 *
 * <p>A snapshot interrupted by a crash is not replayed but taken again, at a new version, so its sweep
 * cannot know the version the first one deleted at. For the types the deferred pass publishes
 * ({@link DeferredAssembly}) that does not matter: the pass writes or deletes every document from its state.
 * For the others (routed types) a snapshot's sweep deletes again every deleted row of its source stored at or
 * below its version. That is true of them (a row the snapshot did not see is gone at its version); it costs
 * a state write for each state holding deleted rows of the source, and memory for their deletes, but only
 * when a source is snapshotted again (on a first snapshot there are none).
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

    /**
     * What a sweep deletes: the rows it finds present ({@code gone}), and the rows it finds deleted already and
     * deletes again ({@code again}, see above); both are written, at the sweep's version.
     */
    record Deletes(List<RowChange> gone, List<RowChange> again) {
        List<RowChange> all() {
            List<RowChange> all = new ArrayList<>(gone);
            all.addAll(again);
            return all;
        }
    }

    /** The deletes that remove every row of {@code source} older than {@code snapshotVersion}. */
    Deletes deletes(String source, long snapshotVersion) throws Exception {
        return deletes(source, snapshotVersion, t -> true, "snapshot sweep", true);
    }

    /** The deletes that remove every row of {@code table} older than a truncate of it at {@code version}. */
    Deletes truncateDeletes(TableRef table, long version, String position) throws Exception {
        return deletes(table.source(), version, t -> t.id().equals(table.id()), "truncate at " + position, false);
    }

    private Deletes deletes(String source, long snapshotVersion, Predicate<TableRef> tables, String position, boolean snapshot)
            throws Exception {
        List<RowChange> deletes = new ArrayList<>();
        List<RowChange> again = new ArrayList<>();
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
            // a snapshot taken again cannot know the version an interrupted sweep deleted at (see above)
            boolean deletedBefore = snapshot && !DeferredAssembly.deferrable(m);
            state.lookupsToSweep(m.stateIndex(), source, snapshotVersion, deletedBefore, d -> {
                String tableId = StateIndex.lookupTable(d);
                TableRef table = mappings.allTables().stream().filter(t -> t.id().equals(tableId)).findFirst().orElse(null);
                if (table == null || !tables.test(table)) {
                    return;
                }
                Map<String, Object> row = StateIndex.lookupRow(d);
                if (row != null) {
                    deletes.add(sweepDelete(table, row, snapshotVersion, position, snapshot));
                } else if ((row = lookupKeyRow(m, tableId, StateIndex.lookupKey(d))) != null) {
                    // deleted already (see above): its key columns are enough to delete it again
                    again.add(sweepDelete(table, row, snapshotVersion, position, snapshot));
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
            state.statesToSweep(m.stateIndex(), source, snapshotVersion, deletedBefore, d -> {
                if (StateIndex.isNested(d)) {
                    // the rows of nested collections under one element (see NestedWrites)
                    NestedGroup g = StateIndex.decodeNested(d);
                    m.collections().stream().filter(c -> c.name().equals(g.collection())).flatMap(c -> c.collections().stream())
                            .filter(n -> n.table().source().equals(source) && tables.test(n.table()))
                            .forEach(n -> g.rows(n.name()).forEach((rowKey, row) -> {
                                if (row.present() && row.version() < snapshotVersion) {
                                    deletes.add(sweepDelete(n.table(), row.row(), snapshotVersion, position, snapshot));
                                } else if (swept(row, snapshotVersion, deletedBefore)) {
                                    again.add(sweepDelete(n.table(), keyRow(n.key().row(rowKey), n.parent().row(g.key())), snapshotVersion,
                                            position, snapshot));
                                }
                            }));
                    return;
                }
                DocumentState s = StateIndex.decode(d);
                if (root && s.root() != null && s.root().present() && s.root().version() < snapshotVersion) {
                    deletes.add(sweepDelete(m.root(), s.root().row(), snapshotVersion, position, snapshot));
                } else if (root && s.root() != null && swept(s.root(), snapshotVersion, deletedBefore)) {
                    again.add(sweepDelete(m.root(), m.rootKey().row(s.rootKey()), snapshotVersion, position, snapshot));
                }
                for (CollectionMapping c : collections) {
                    s.children(c.name()).forEach((childKey, child) -> {
                        if (child.present() && child.version() < snapshotVersion) {
                            deletes.add(sweepDelete(c.table(), child.row(), snapshotVersion, position, snapshot));
                        } else if (swept(child, snapshotVersion, deletedBefore)) {
                            again.add(sweepDelete(c.table(), keyRow(c.key().row(childKey), c.parent().row(s.rootKey())), snapshotVersion,
                                    position, snapshot));
                        }
                    });
                }
            });
        }
        return new Deletes(deletes, again);
    }

    /** A deleted row to delete again: deleted at the sweep's version or, with {@code deletedBefore}, at or below it. */
    private static boolean swept(Contribution c, long version, boolean deletedBefore) {
        return c.deleted() && (deletedBefore ? c.version() <= version : c.version() == version);
    }

    /** A row of a deleted element with its key and its parent's columns, enough to route its delete again. */
    private static Map<String, Object> keyRow(Map<String, Object> key, Map<String, Object> parent) {
        Map<String, Object> row = new LinkedHashMap<>(parent);
        row.putAll(key);
        return row;
    }

    /** The key columns of a deleted lookup row of {@code tableId} in {@code m}, or null when {@code m} does not look it up. */
    private Map<String, Object> lookupKeyRow(DocumentMapping m, String tableId, String key) {
        for (TableRole role : mappings.roles(tableId)) {
            if (role.document() == m && role instanceof TableRole.Lookup l) {
                return l.lookup().key().row(key);
            }
        }
        return null;
    }

    private static RowChange sweepDelete(TableRef table, Map<String, Object> row, long version, String position, boolean snapshot) {
        return new RowChange(table, RowChange.Op.DELETE, row, null, version, position, snapshot);
    }
}
