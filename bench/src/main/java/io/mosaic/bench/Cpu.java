package io.mosaic.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time used so far by a process (user + system, from /proc/&lt;pid&gt;/stat) or by the Elasticsearch
 * node (its own process statistics), so that a burst can be charged per change to whoever did the work.
 */
final class Cpu {

    /** USER_HZ: /proc reports clock ticks of 1/100 s on Linux. */
    private static final int TICKS_PER_SECOND = 100;

    private Cpu() {
    }

    static long processMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // the command name may contain spaces: fields are counted after its closing parenthesis
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long elasticsearchMillis(Es es) {
        try {
            var nodes = es.http().call("GET", "/_nodes/_local/stats/process", null).path("nodes");
            return nodes.elements().next().path("process").path("cpu").path("total_in_millis").asLong(-1);
        } catch (IOException | InterruptedException | RuntimeException e) {
            return -1;
        }
    }

    /** A counter read at the start of a burst; {@link #microsPerChange} charges what was used since. */
    record Mark(long processMillis, long esMillis) {
        static Mark of(long pid, Es es) {
            return new Mark(pid > 0 ? Cpu.processMillis(pid) : -1, Cpu.elasticsearchMillis(es));
        }

        void putPerChange(com.fasterxml.jackson.databind.node.ObjectNode n, long pid, Es es, long changes) {
            Mark end = of(pid, es);
            if (processMillis >= 0 && end.processMillis >= 0) {
                n.put("cpuMicrosPerChange", (end.processMillis - processMillis) * 1000.0 / changes);
            }
            if (esMillis >= 0 && end.esMillis >= 0) {
                n.put("esCpuMicrosPerChange", (end.esMillis - esMillis) * 1000.0 / changes);
            }
        }
    }
}
