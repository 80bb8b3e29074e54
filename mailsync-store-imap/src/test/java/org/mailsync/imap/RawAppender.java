package org.mailsync.imap;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.mailsync.testing.DovecotServer;

/**
 * The yardstick of issue 15: a minimal IMAP client on plain sockets that appends a Maildir++
 * corpus as fast as the target takes it. {@value #CONNECTIONS} connections, each a contiguous slice
 * of the folder-sorted corpus; MULTIAPPEND (RFC 3502) of {@value #PER_COMMAND} messages per command
 * with LITERAL+ literals; pipelined, {@value #IN_FLIGHT} commands in flight over all connections.
 * No SELECT, no checks beyond each command's tagged OK: the rate a copy could reach at best.
 *
 * <p>Not thread-safe; a benchmark helper.
 */
final class RawAppender {
    static final int CONNECTIONS = 4;
    static final int PER_COMMAND = 100;
    static final int IN_FLIGHT = 32;

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss Z", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private RawAppender() {}

    private record Item(String mailbox, Path file, String flags) {}

    /**
     * Appends every message of the Maildir++ tree (folders in the given order, files by name) for
     * {@code user} of {@code target}; returns messages per second, the folders' creation excluded.
     */
    static double run(Path maildir, List<String> folders, DovecotServer target, String user) throws Exception {
        List<Item> items = new ArrayList<>();
        for (String folder : folders) {
            String mailbox = folder.isEmpty() ? "INBOX" : folder.substring(1);
            try (Stream<Path> files = Files.list(maildir.resolve(folder.isEmpty() ? "cur" : folder + "/cur"))) {
                for (Path f : files.sorted().toList()) {
                    String name = f.getFileName().toString();
                    items.add(new Item(mailbox, f, name.endsWith(",S") ? "(\\Seen)" : "()"));
                }
            }
        }
        try (Socket s = login(target, user)) {
            OutputStream out = s.getOutputStream();
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            for (String folder : folders) {
                if (!folder.isEmpty()) {
                    out.write(("c CREATE " + folder.substring(1) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    expect(in, "c ");
                }
            }
        }
        Semaphore window = new Semaphore(IN_FLIGHT);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            List<Item> slice = items.subList(items.size() * c / CONNECTIONS, items.size() * (c + 1) / CONNECTIONS);
            Thread t = new Thread(() -> {
                try {
                    appendSlice(target, user, slice, window);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failure.get() != null) {
            throw new AssertionError("raw appender failed", failure.get());
        }
        return items.size() / seconds;
    }

    private static Socket login(DovecotServer target, String user) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(target.host(), target.port()));
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        in.readLine(); // greeting
        s.getOutputStream().write(("a LOGIN " + user + " pw-" + user + "\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        expect(in, "a ");
        return s;
    }

    /** Reads up to the tagged answer with this tag; fails unless it is OK. */
    private static void expect(BufferedReader in, String tag) throws IOException {
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith(tag)) {
                if (!line.startsWith(tag + "OK")) {
                    throw new IOException("server answered " + line);
                }
                return;
            }
        }
        throw new IOException("connection closed");
    }

    /** One connection: a writer sends the commands within the shared window, a reader counts the answers. */
    private static void appendSlice(DovecotServer target, String user, List<Item> slice, Semaphore window)
            throws Exception {
        List<List<Item>> commands = new ArrayList<>();
        List<Item> command = new ArrayList<>();
        for (Item item : slice) {
            if (!command.isEmpty()
                    && (command.size() >= PER_COMMAND
                            || !command.get(0).mailbox().equals(item.mailbox()))) {
                commands.add(command);
                command = new ArrayList<>();
            }
            command.add(item);
        }
        if (!command.isEmpty()) {
            commands.add(command);
        }
        try (Socket s = login(target, user)) {
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            AtomicReference<Throwable> readFailure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    for (int answered = 0; answered < commands.size(); ) {
                        String line = in.readLine();
                        if (line == null) {
                            throw new IOException("connection closed");
                        }
                        if (line.startsWith("t")) {
                            if (!line.contains(" OK")) {
                                throw new IOException("server answered " + line);
                            }
                            answered++;
                            window.release();
                        }
                    }
                } catch (Throwable e) {
                    readFailure.set(e);
                    window.release(IN_FLIGHT);
                }
            });
            reader.start();
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
            int tag = 0;
            for (List<Item> c : commands) {
                window.acquire();
                if (readFailure.get() != null) {
                    break;
                }
                out.write(("t" + tag++ + " APPEND " + c.get(0).mailbox()).getBytes(StandardCharsets.US_ASCII));
                for (Item item : c) {
                    // The benchmark's own corpus, written by this JVM: no link to follow.
                    byte[] bytes = Files.readAllBytes(item.file());
                    String date = DATE.format(Files.getLastModifiedTime(item.file(), LinkOption.NOFOLLOW_LINKS)
                            .toInstant());
                    out.write((" " + item.flags() + " \"" + date + "\" {" + bytes.length + "+}\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(bytes);
                }
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            reader.join();
            if (readFailure.get() != null) {
                throw new AssertionError("raw APPEND failed", readFailure.get());
            }
        }
    }
}
