package io.mosaic.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Linux network namespace of a test's own, joined to the host by a veth pair with private addresses
 * ({@code hostAddress/30} on the host side, {@code namespaceAddress/30} inside), so that a server started
 * in it ({@link #command}) can be cut off for real: {@link #cut} takes the inner end of the link down, and
 * a connection to the server then hangs (no answer, no refusal) until {@link #heal}. The host keeps a
 * permanent neighbour entry for the inner address, so that a new connection hangs too instead of failing
 * after three seconds of unanswered ARP ("no route to host"); taking the <em>host</em> end down instead
 * would remove the route and send the packets to the default gateway.
 *
 * <p>Needs root (CAP_NET_ADMIN) and the {@code ip} tool: {@link #unavailable} says whether this machine
 * allows it. {@link #create} first removes a namespace and veth of the same name left by an earlier run;
 * {@link #close} deletes both (deleting the namespace deletes the veth pair with it).
 */
public final class NetworkNamespace implements AutoCloseable {

    private final String name;
    private final String hostInterface;
    private final String innerInterface;
    private final String hostAddress;
    private final String namespaceAddress;
    private volatile boolean cut;

    private NetworkNamespace(String name, String hostAddress, String namespaceAddress) {
        this.name = name;
        // interface names have at most 15 characters
        String base = name.length() > 12 ? name.substring(0, 12) : name;
        this.hostInterface = base + "-h";
        this.innerInterface = base + "-n";
        this.hostAddress = hostAddress;
        this.namespaceAddress = namespaceAddress;
    }

    /**
     * Null when network namespaces can be created here, else why not (not root, no {@code ip}, a
     * container without CAP_NET_ADMIN): tries to add and delete a throwaway namespace and veth pair.
     */
    public static String unavailable() {
        String probe = "mosaic-probe-" + ProcessHandle.current().pid();
        String veth = "mprobe" + (ProcessHandle.current().pid() % 100_000);
        try {
            run("ip", "netns", "add", probe);
            try {
                run("ip", "link", "add", veth + "h", "type", "veth", "peer", "name", veth + "n");
                run("ip", "link", "del", veth + "h");
            } finally {
                run("ip", "netns", "del", probe);
            }
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /**
     * A new namespace {@code name} with the veth pair up and addressed; removes a namespace and veth of
     * that name first (leftovers of a run that was killed).
     */
    public static NetworkNamespace create(String name, String hostAddress, String namespaceAddress) throws IOException {
        NetworkNamespace ns = new NetworkNamespace(name, hostAddress, namespaceAddress);
        ns.removeLeftovers();
        try {
            run("ip", "netns", "add", name);
            run("ip", "link", "add", ns.hostInterface, "type", "veth", "peer", "name", ns.innerInterface);
            run("ip", "link", "set", ns.innerInterface, "netns", name);
            run("ip", "addr", "add", hostAddress + "/30", "dev", ns.hostInterface);
            run("ip", "link", "set", ns.hostInterface, "up");
            run(ns.command("ip", "addr", "add", namespaceAddress + "/30", "dev", ns.innerInterface));
            run(ns.command("ip", "link", "set", "lo", "up"));
            run(ns.command("ip", "link", "set", ns.innerInterface, "up"));
            ns.pinNeighbour();
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    public String name() {
        return name;
    }

    /** The address of the namespace's end of the link, where a server in it binds. */
    public String address() {
        return namespaceAddress;
    }

    /** {@code command} prefixed so that it runs inside the namespace. */
    public List<String> command(String... command) {
        List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", name));
        out.addAll(List.of(command));
        return out;
    }

    /** Takes the namespace's end of the link down: packets to and from it are dropped, connections hang. */
    public void cut() throws IOException {
        run(command("ip", "link", "set", innerInterface, "down"));
        cut = true;
    }

    /** Brings the link back up. */
    public void heal() throws IOException {
        run(command("ip", "link", "set", innerInterface, "up"));
        pinNeighbour();
        cut = false;
    }

    public boolean isCut() {
        return cut;
    }

    /**
     * Aborts every TCP connection to {@code port} of the namespace's address, on both ends ({@code ss -K}: the
     * server's side inside the namespace, the client's side on the host, each with a reset to the other), and
     * checks that none is left. Bytes a client wrote into a connection while the link was {@link #cut} stay in
     * the host kernel's send queue after the client gave up on a timeout, closed the socket, even exited: TCP
     * goes on retransmitting them, with a backoff that doubles each time (with Linux defaults the last try of
     * an orphaned socket comes about 50 s, and the socket dies about 100 s, after the first send), and the
     * server, which still has the connection, reads the request and executes it when one retransmission gets
     * through. A test that starts over on a server behind this link calls this first, so that no request of
     * an earlier test's client can arrive in the new one's data. The server's listening socket stays.
     */
    public void dropConnections(int port) throws IOException {
        String server = namespaceAddress + ":" + port;
        run(command("ss", "-K", "-tn", "state", "connected", "src", server));
        run("ss", "-K", "-tn", "state", "connected", "dst", server);
        // in FIN-WAIT-2 and TIME-WAIT the side that closed has had everything it sent acknowledged, and the kernel may
        // keep such a socket as a mini socket that cannot be aborted; a request can only be in any other state
        String inside = output(command("ss", "-Htn", "state", "connected", "exclude", "fin-wait-2", "exclude", "time-wait",
                "src", server)).trim();
        String outside = output(List.of("ss", "-Htn", "state", "connected", "exclude", "fin-wait-2", "exclude", "time-wait",
                "dst", server)).trim();
        if (!inside.isEmpty() || !outside.isEmpty()) {
            throw new IOException("connections to " + server + " still open after `ss -K` (a kernel without "
                    + "CONFIG_INET_DIAG_DESTROY?): inside namespace " + name + ":\n" + inside + "\non the host:\n" + outside);
        }
    }

    /** The host's neighbour entry for the inner address, permanent: no ARP while the link is cut. */
    private void pinNeighbour() throws IOException {
        String mac = output(command("cat", "/sys/class/net/" + innerInterface + "/address")).trim();
        run("ip", "neigh", "replace", namespaceAddress, "lladdr", mac, "dev", hostInterface, "nud", "permanent");
    }

    private void removeLeftovers() {
        quietly("ip", "netns", "del", name);
        quietly("ip", "link", "del", hostInterface);
    }

    /** Deletes the namespace and the veth pair; never throws. A process still in the namespace keeps it alive: stop it first. */
    @Override
    public void close() {
        removeLeftovers();
    }

    private static void quietly(String... command) {
        try {
            run(command);
        } catch (IOException e) {
            // absent already
        }
    }

    private static void run(String... command) throws IOException {
        run(List.of(command));
    }

    private static void run(List<String> command) throws IOException {
        output(command);
    }

    private static String output(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer within 30 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": " + out.trim());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
    }
}
