package io.mosaic.source;

import java.sql.SQLException;
import java.util.Locale;

import com.github.shyiko.mysql.binlog.network.ServerException;

import io.mosaic.config.SourceConfig;

/**
 * Which failures of a running source no restart can heal. The counterpart of
 * {@link SourceProbe#isOutage}: an outage (SQL state class 08, a refused or timed-out connection, a
 * connection closed by a restarting server) heals by waiting, so the source is restarted; these do not,
 * so the process gives up on them at once and exits 1:
 * <ul>
 *   <li>credentials refused: SQL state class 28 (PostgreSQL, MariaDB/MySQL), MariaDB/MySQL error 1045;</li>
 *   <li>a missing privilege: SQL state 42501, MariaDB/MySQL errors 1044, 1142, 1227 (e.g. REPLICATION SLAVE);</li>
 *   <li>the position is gone: PostgreSQL's "requested WAL segment … has already been removed" (58P01), a
 *       replication slot that does not exist (42704) or was invalidated; MariaDB/MySQL error 1236 (the
 *       binlog file or GTIDs of the position were purged); Debezium's own refusal of a position the server
 *       no longer has ("... but this is no longer available on the server"), such as a slot created again.</li>
 * </ul>
 * The messages say what to do, and name neither a secret nor a row value (only the kind of error and
 * its SQL state or code).
 */
public final class SourceFailures {

    private SourceFailures() {
    }

    /**
     * Why {@code error} cannot heal by restarting the source, with what to do; null when it may heal
     * (an outage, or anything not known to be permanent: that is restarted until restart.give_up_after).
     */
    public static String unrecoverable(SourceConfig source, Throwable error) {
        String fix = "sources." + source.name();
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SchemaChangeException schema) {
                // a mapped column or table is gone: a restart reads the same change again; its message says what to do
                return schema.getMessage();
            }
            if (t.getMessage() != null && t.getMessage().contains("but this is no longer available on the server")) {
                // Debezium's message names the position itself: it is left out, as are the other messages' details
                return lostPosition(source, "Debezium: the stored position is no longer available on the server");
            }
            String state = null;
            int code = 0;
            if (t instanceof SQLException sql) {
                state = sql.getSQLState();
                code = sql.getErrorCode();
            } else if (t instanceof ServerException server) {
                state = server.getSqlState();
                code = server.getErrorCode();
            }
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (state == null && code == 0) {
                continue;
            }
            String what = t.getClass().getSimpleName() + (state != null ? ", SQL state " + state : "") + (code != 0 ? ", error " + code : "");
            if ((state != null && state.startsWith("28")) || code == 1045) {
                return "the database refused the credentials (" + what + "): fix " + fix + ".user/password (or the user's password "
                        + "in the database), then restart Mosaic";
            }
            if ("42501".equals(state) || code == 1044 || code == 1142 || code == 1227) {
                return "the database user lacks a privilege Mosaic needs (" + what + "): grant it (mosaic validate lists the grants), "
                        + "then restart Mosaic";
            }
            if ("58P01".equals(state) || code == 1236
                    || (message.contains("replication slot") && ("42704".equals(state) || message.contains("invalidated")
                        || message.contains("can no longer")))) {
                return lostPosition(source, what);
            }
        }
        return null;
    }

    private static String lostPosition(SourceConfig source, String what) {
        return "the database no longer has the changes since Mosaic's last position (" + what + "): run 'mosaic run --resnapshot "
                + source.name() + "' to take a new snapshot (rows deleted meanwhile are removed from the documents)";
    }
}
