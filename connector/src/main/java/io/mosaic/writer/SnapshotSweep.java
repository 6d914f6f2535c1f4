package io.mosaic.writer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mosaic.mapping.CollectionMapping;
import io.mosaic.mapping.DocumentMapping;
import io.mosaic.mapping.DocumentState;
import io.mosaic.mapping.MappingSet;
import io.mosaic.model.RowChange;
import io.mosaic.model.TableRef;

/**
 * Ends a completed snapshot of a source taken at a version: every row of that source still known at a
 * lower version was not in the snapshot, so it no longer exists — a snapshot cannot say so itself (it
 * only emits rows that are there). This finds such rows; the writer then deletes them at the snapshot's
 * version, through the normal ordered path. It matters whenever a snapshot is repeated: after one that
 * was interrupted (a crash, a database restart) or a re-snapshot.
 */
final class SnapshotSweep {

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
        List<RowChange> deletes = new ArrayList<>();
        for (DocumentMapping m : mappings.documents()) {
            if (m.isSingleTable()) {
                if (m.root().source().equals(source)) {
                    direct.keysOlderThan(m, snapshotVersion, key -> {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put(m.rootKey(), key);
                        deletes.add(sweepDelete(m.root(), row, snapshotVersion));
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
                if (table != null && row != null) {
                    deletes.add(sweepDelete(table, row, snapshotVersion));
                }
            });
            state.statesOlderThan(m.stateIndex(), source, snapshotVersion, d -> {
                DocumentState s = StateIndex.decode(d);
                if (m.root().source().equals(source) && s.root() != null && s.root().present() && s.root().version() < snapshotVersion) {
                    deletes.add(sweepDelete(m.root(), s.root().row(), snapshotVersion));
                }
                for (CollectionMapping c : m.collections()) {
                    if (!c.table().source().equals(source)) {
                        continue;
                    }
                    s.children(c.name()).values().forEach(child -> {
                        if (child.present() && child.version() < snapshotVersion) {
                            deletes.add(sweepDelete(c.table(), child.row(), snapshotVersion));
                        }
                    });
                }
            });
        }
        return deletes;
    }

    private static RowChange sweepDelete(TableRef table, Map<String, Object> row, long version) {
        return new RowChange(table, RowChange.Op.DELETE, row, null, version, "snapshot sweep", true);
    }
}
