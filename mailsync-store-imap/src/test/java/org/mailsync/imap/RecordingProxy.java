package org.mailsync.imap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy on loopback in front of a real IMAP server that records every command line a client
 * sends (tag left out, literal contents skipped), so that a test can count the commands a copy
 * costs the server. Bytes pass unchanged both ways.
 *
 * <p>Thread-safe: each connection is served on threads of its own.
 */
final class RecordingProxy implements AutoCloseable {
    private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)\\+?}$");

    private final ServerSocket listener;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

    RecordingProxy(String host, int port) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(
                () -> {
                    while (!listener.isClosed()) {
                        try {
                            Socket client = listener.accept();
                            Socket server = new Socket(host, port);
                            sockets.add(client);
                            sockets.add(server);
                            pump(server.getInputStream(), client.getOutputStream(), false);
                            pump(client.getInputStream(), server.getOutputStream(), true);
                        } catch (IOException e) {
                            return; // closed
                        }
                    }
                },
                "recording-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The command lines received so far, without their tags, in order (over all connections). */
    List<String> commands() {
        return List.copyOf(commands);
    }

    /** Forgets what was recorded. */
    void clear() {
        commands.clear();
    }

    private void pump(InputStream in, OutputStream out, boolean record) {
        Thread t = new Thread(
                () -> {
                    try {
                        if (record) {
                            recordWhile(in, out);
                        } else {
                            in.transferTo(out);
                        }
                    } catch (IOException e) {
                        // the connection ended
                    } finally {
                        try {
                            out.close();
                        } catch (IOException e) {
                            // already gone
                        }
                    }
                },
                "recording-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Passes the client's bytes on, recording each line that starts a command. */
    private void recordWhile(InputStream in, OutputStream out) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        StringBuilder command = new StringBuilder();
        byte[] buffer = new byte[65536];
        long literalLeft = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            out.flush();
            int i = 0;
            while (i < n) {
                if (literalLeft > 0) {
                    int skip = (int) Math.min(literalLeft, n - i);
                    literalLeft -= skip;
                    i += skip;
                    continue;
                }
                byte b = buffer[i++];
                if (b != '\n') {
                    line.write(b);
                    continue;
                }
                String text = line.toString(StandardCharsets.ISO_8859_1).replaceAll("\r$", "");
                line.reset();
                Matcher m = LITERAL.matcher(text);
                if (m.find()) {
                    literalLeft = Long.parseLong(m.group(1));
                    command.append(text, 0, m.start()).append("{...}");
                    continue;
                }
                command.append(text);
                String whole = command.toString();
                command.setLength(0);
                int space = whole.indexOf(' ');
                commands.add(space < 0 ? whole : whole.substring(space + 1));
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
