package io.mosaic.source;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.mosaic.config.SourceConfig;
import io.mosaic.mapping.MappingSet;
import io.mosaic.mapping.TableRole;
import io.mosaic.model.TableInfo;
import io.mosaic.model.TableRef;

/**
 * What one source must grant and publish for Mosaic, as the SQL a DBA runs ({@code mosaic validate}
 * prints it), and the PostgreSQL publication the mappings need. Pure: the caller reads the catalog.
 *
 * <p>On PostgreSQL 15 and later the publication has a column list per table: the columns the mappings
 * read (keys, parent and lookup columns included, as {@link MappingSet#columns}) plus the columns of
 * the table's replica identity, which PostgreSQL requires in the list (it refuses the table's UPDATEs
 * and DELETEs otherwise). Unmapped columns then never leave the database. A table with
 * {@code REPLICA IDENTITY FULL} would need every column in the list, so it is published whole, and its
 * every column leaves the database; a child table that needs its parent key on delete should rather
 * use {@code REPLICA IDENTITY USING INDEX} on a unique index of its key and parent columns. Before 15,
 * publications have no column lists: every column of a published table leaves the database and Mosaic
 * drops the unmapped ones in its own process.
 */
public final class SourceSetup {

    /** PostgreSQL's {@code server_version_num} from which publications take column lists. */
    public static final int COLUMN_LISTS_SINCE = 150000;

    private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_$]*");
    /** PostgreSQL's reserved key words (and those reserved as function or type names): quoted. */
    private static final Set<String> RESERVED = Set.of(("all analyse analyze and any array as asc asymmetric both case cast check "
            + "collate column constraint create current_catalog current_date current_role current_time current_timestamp current_user "
            + "default deferrable desc distinct do else end except false fetch for foreign from grant group having in initially "
            + "intersect into lateral leading limit localtime localtimestamp not null offset on only or order placing primary "
            + "references returning select session_user some symmetric system_user table then to trailing true union unique user "
            + "using variadic when where window with authorization binary collation concurrently cross current_schema freeze full "
            + "ilike inner is isnull join left like natural notnull outer overlaps right similar tablesample verbose").split(" "));

    private final SourceConfig source;
    private final MappingSet mappings;
    private final Map<String, TableInfo> catalog;
    private final int serverVersion;

    /**
     * @param catalog the source's mapped tables by {@link TableRef#id()} as they are; empty when the
     *                source was not read ({@code validate --offline}): the mapping alone then decides
     * @param serverVersion PostgreSQL's {@code server_version_num}, or 0 when not known (taken as 15 or later)
     */
    public SourceSetup(SourceConfig source, MappingSet mappings, Map<String, TableInfo> catalog, int serverVersion) {
        this.source = source;
        this.mappings = mappings;
        this.catalog = catalog;
        this.serverVersion = serverVersion;
    }

    /** Whether the publication can have column lists (PostgreSQL 15 or later, or a version not known). */
    public boolean columnLists() {
        return serverVersion == 0 || serverVersion >= COLUMN_LISTS_SINCE;
    }

    /**
     * The columns the publication must carry for each mapped table, in the table's column order; null
     * for a table published whole (PostgreSQL before 15, or {@code REPLICA IDENTITY FULL}).
     */
    public Map<TableRef, List<String>> publicationColumns() {
        Map<TableRef, List<String>> out = new LinkedHashMap<>();
        for (TableRef t : tables()) {
            TableInfo info = catalog.get(t.id());
            if (!columnLists() || (info != null && "f".equals(info.replicaIdentity()))) {
                out.put(t, null);
                continue;
            }
            Set<String> needed = new LinkedHashSet<>(mappings.columns(t.id()));
            if (info != null) {
                needed.addAll(info.identityColumns());
                // the table's order, so that a listing compares at a glance with \d
                List<String> ordered = new ArrayList<>();
                List<String> all = new ArrayList<>(info.columns().keySet());
                int last = -1;
                for (int i = 0; i < all.size(); i++) {
                    if (needed.contains(all.get(i))) {
                        last = i;
                    }
                }
                for (int i = 0; i < all.size(); i++) {
                    String c = all.get(i);
                    if (needed.remove(c) || (source.signalTable() != null && i < last)) {
                        ordered.add(c); // with a signal table, also every column before the last one needed: see gapColumns
                    }
                }
                ordered.addAll(needed); // a mapped column the table lacks: the mapping check reports it
                out.put(t, List.copyOf(ordered));
            } else {
                out.put(t, List.copyOf(needed));
            }
        }
        if (source.signalTable() != null) {
            // Debezium reads snapshot requests and its own watermarks from it through the log: all of its three columns
            out.put(new TableRef(source.name(), source.signalTable()), null);
        }
        return out;
    }

    /**
     * The columns a column list carries only because the source has a {@code signal_table}, by table:
     * those between the first and the last column Mosaic reads. Debezium 3.5 re-reads a table's schema
     * from the catalog for an incremental snapshot and then decodes pgoutput's tuples by position, so a
     * column list with a hole in it shifts the values after the hole (IncrementalSnapshotIT saw a
     * department's name decoded as its company_id). A list without holes keeps the positions; columns
     * after the last one read still stay in the database.
     */
    public Map<TableRef, List<String>> gapColumns() {
        Map<TableRef, List<String>> out = new LinkedHashMap<>();
        if (source.signalTable() == null) {
            return out;
        }
        publicationColumns().forEach((t, columns) -> {
            if (columns == null || catalog.get(t.id()) == null) {
                return;
            }
            Set<String> needed = new LinkedHashSet<>(mappings.columns(t.id()));
            needed.addAll(catalog.get(t.id()).identityColumns());
            List<String> extra = columns.stream().filter(c -> !needed.contains(c)).toList();
            if (!extra.isEmpty()) {
                out.put(t, extra);
            }
        });
        return out;
    }

    /** The publication's table list: {@code public.departments (id, name), public.employees (...)}. */
    public String publicationTables() {
        return publicationColumns().entrySet().stream()
                .map(e -> table(e.getKey()) + (e.getValue() == null ? "" : " (" + e.getValue().stream().map(SourceSetup::ident)
                        .collect(Collectors.joining(", ")) + ")"))
                .collect(Collectors.joining(", "));
    }

    public String createPublication() {
        return "CREATE PUBLICATION " + ident(source.publication()) + " FOR TABLE " + publicationTables() + ";";
    }

    public String alterPublication() {
        return "ALTER PUBLICATION " + ident(source.publication()) + " SET TABLE " + publicationTables() + ";";
    }

    /**
     * The statements that give a child table a replica identity carrying its parent key without
     * carrying every column, or empty when it has one (or when it is not a child). Before 15 or with
     * a nullable parent column, {@code REPLICA IDENTITY FULL} is what works.
     */
    public List<String> replicaIdentity(TableRef t) {
        List<String> parent = parentColumn(t);
        TableInfo info = catalog.get(t.id());
        List<String> out = new ArrayList<>();
        if (parent == null) {
            if (info != null && "n".equals(info.replicaIdentity())) {
                out.add("ALTER TABLE " + table(t) + " REPLICA IDENTITY DEFAULT;");
            }
            return out;
        }
        List<String> key = key(t);
        if (info != null && parent.stream().allMatch(info::deleteCarries) && !"f".equals(info.replicaIdentity())) {
            return out;
        }
        if (info != null && "f".equals(info.replicaIdentity()) && !columnLists()) {
            return out; // FULL is the only way before 15 that a delete carries a non-key column without an index; it works
        }
        for (String p : parent) {
            if (info != null && !info.notNull().contains(p)) {
                out.add("-- " + t.table() + "." + p + " may be NULL, so no index on it can be the replica identity: "
                        + "make it NOT NULL (ALTER TABLE " + table(t) + " ALTER COLUMN " + ident(p) + " SET NOT NULL) and run the two "
                        + "statements below, or keep REPLICA IDENTITY FULL (every column of the table then leaves the database)");
            }
        }
        String index = identityIndex(t);
        java.util.LinkedHashSet<String> indexed = new java.util.LinkedHashSet<>(key);
        indexed.addAll(parent); // a parent column that is part of the key is indexed once
        out.add("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS " + ident(index) + " ON " + table(t)
                + " (" + indexed.stream().map(SourceSetup::ident).collect(Collectors.joining(", ")) + ");");
        out.add("ALTER TABLE " + table(t) + " REPLICA IDENTITY USING INDEX " + ident(index) + ";");
        return out;
    }

    /** The name Mosaic proposes for a child table's replica identity index. */
    static String identityIndex(TableRef t) {
        String name = t.name() + "_mosaic_identity";
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    /**
     * The whole setup of the source, as SQL with comments: the user's grants, then (PostgreSQL) each
     * child table's replica identity, then the publication, created or, when it exists, set.
     */
    public List<String> script(boolean publicationExists) {
        List<String> out = new ArrayList<>();
        out.add("-- source '" + source.name() + "' (" + source.describe() + "): run as an administrator");
        if (source.type().isBinlog()) {
            String user = "'" + source.user().replace("'", "''") + "'@'%'";
            out.add("-- replace '%' by the host Mosaic connects from; LOCK TABLES too where FLUSH TABLES WITH READ LOCK is not allowed (RDS, Aurora)");
            out.add("GRANT RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO " + user + ";");
            for (TableRef t : tables()) {
                out.add("GRANT SELECT ON " + binlogTable(t) + " TO " + user + ";");
            }
            out.add("-- the server needs log_bin, binlog_format=ROW and binlog_row_image=FULL; the binlog then carries every column "
                    + "of every changed row, mapped or not (no column list exists): Mosaic drops the unmapped ones in its own process");
            return out;
        }
        String role = ident(source.user());
        out.add("ALTER ROLE " + role + " WITH LOGIN REPLICATION;");
        out.add("GRANT CONNECT ON DATABASE " + ident(source.database()) + " TO " + role + ";");
        for (String schema : tables().stream().map(TableRef::schema).distinct().toList()) {
            out.add("GRANT USAGE ON SCHEMA " + ident(schema) + " TO " + role + ";");
        }
        out.add("GRANT SELECT ON " + tables().stream().map(SourceSetup::table).collect(Collectors.joining(", ")) + " TO " + role + ";");
        for (TableRef t : tables()) {
            TableInfo info = catalog.get(t.id());
            if (info != null && "f".equals(info.replicaIdentity()) && parentColumn(t) == null && columnLists()) {
                out.add("-- " + t.table() + " has REPLICA IDENTITY FULL: every column of it leaves the database with each update and delete, "
                        + "so the publication carries it whole; Mosaic does not need FULL there: ALTER TABLE " + table(t)
                        + " REPLICA IDENTITY DEFAULT (unless another consumer needs FULL)");
            }
            List<String> identity = replicaIdentity(t);
            if (!identity.isEmpty()) {
                out.add("-- " + t.table() + " is a child table: its deletes must carry " + String.join(", ", parentColumn(t))
                        + " (a replica identity over its key and parent), not every column (FULL)");
                out.addAll(identity);
            }
        }
        if (!columnLists()) {
            out.add("-- PostgreSQL " + serverVersion / 10000 + " has no publication column lists (15 has): every column of these "
                    + "tables leaves the database; Mosaic drops the unmapped ones in its own process");
        } else {
            out.add("-- only these columns leave the database; keep the replica identities above (PostgreSQL refuses UPDATE and DELETE "
                    + "on a table whose replica identity the column list does not cover, such as one set to FULL later)");
        }
        out.add(publicationExists ? alterPublication() : createPublication());
        return out;
    }

    private List<TableRef> tables() {
        return mappings.tables(source.name());
    }

    /** The parent column(s) of a table that is some document's child, or null. */
    private List<String> parentColumn(TableRef t) {
        for (TableRole r : mappings.roles(t.id())) {
            if (r instanceof TableRole.Child c) {
                return c.collection().parent().columns();
            }
        }
        return null;
    }

    private List<String> key(TableRef t) {
        for (TableRole r : mappings.roles(t.id())) {
            if (r instanceof TableRole.Child c) {
                return c.collection().key().columns();
            }
        }
        throw new IllegalArgumentException(t.id() + " is not a child table");
    }

    /** {@code schema.table}, each part quoted where PostgreSQL would otherwise fold or reject it. */
    static String table(TableRef t) {
        return ident(t.schema()) + "." + ident(t.name());
    }

    private static String binlogTable(TableRef t) {
        return "`" + t.schema().replace("`", "``") + "`.`" + t.name().replace("`", "``") + "`";
    }

    /** A PostgreSQL identifier: as is when lower-case and plain, else double-quoted. */
    static String ident(String name) {
        return PLAIN_IDENTIFIER.matcher(name).matches() && !RESERVED.contains(name) ? name : "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
