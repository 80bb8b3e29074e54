package org.mailsync.pop3;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A POP3 server on loopback that answers as a test scripts it: with or without UIDL, TOP, APOP,
 * SASL PLAIN and XOAUTH2, STLS offered or not; and hostile on request: a RETR or UIDL answer that
 * never ends, one that stops and stalls, a greeting that never comes. Records every command line
 * it receives (secrets included: only tests read them). One maildrop for every login; DELE takes
 * effect at QUIT. Thread-safe.
 */
final class ScriptedPop3Server implements AutoCloseable {
    /** What a test can make the server do. */
    enum Quirk {
        NO_UIDL,
        NO_GREETING,
        RETR_NEVER_ENDS,
        UIDL_NEVER_ENDS,
        RETR_STALLS,
        OFFER_APOP,
        OFFER_SASL,
        OFFER_STLS,
        /** LIST gives half of each message's size. */
        LIST_HALF_SIZES,
        /** RETR sends 2 KiB every 200 ms, never ending: progress enough, but no end. */
        RETR_DRIPS
    }

    static final String CHALLENGE = "<1896.697170952@pop.example.org>";

    private final ServerSocket socket;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scripted-pop3");
        t.setDaemon(true);
        return t;
    });
    private final List<byte[]> maildrop = new CopyOnWriteArrayList<>();
    private final Set<Quirk> quirks = ConcurrentHashMap.newKeySet();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final String user;
    private final String password;

    ScriptedPop3Server(String user, String password) throws IOException {
        this.user = user;
        this.password = password;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.submit(this::accept);
    }

    int port() {
        return socket.getLocalPort();
    }

    void quirk(Quirk... more) {
        quirks.addAll(List.of(more));
    }

    void clearQuirks() {
        quirks.clear();
    }

    void deliver(byte[] message) {
        maildrop.add(message);
    }

    int size() {
        return maildrop.size();
    }

    /** Every command line received so far. */
    List<String> commands() {
        return List.copyOf(commands);
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                s.setTcpNoDelay(true);
                threads.submit(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static void sendMultiline(OutputStream out, byte[] body) throws IOException {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\r\n", -1)) {
            b.append(line.startsWith(".") ? "." + line : line).append("\r\n");
        }
        // split leaves one empty piece after the final CRLF: drop its CRLF again
        b.setLength(b.length() - 2);
        if (!text.endsWith("\r\n")) {
            b.append("\r\n");
        }
        b.append(".\r\n");
        out.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private void serve(Socket s) {
        try (s) {
            if (quirks.contains(Quirk.NO_GREETING)) {
                Thread.sleep(60_000);
                return;
            }
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            send(out, "+OK scripted POP3 ready" + (quirks.contains(Quirk.OFFER_APOP) ? " " + CHALLENGE : ""));
            List<byte[]> view = new ArrayList<>(maildrop);
            Set<Integer> deleted = ConcurrentHashMap.newKeySet();
            boolean authed = false;
            String pendingUser = null;
            String line;
            while ((line = in.readLine()) != null) {
                commands.add(line);
                String[] w = line.split(" ");
                String cmd = w[0].toUpperCase(java.util.Locale.ROOT);
                switch (cmd) {
                    case "CAPA" -> {
                        StringBuilder caps = new StringBuilder("TOP\r\nUSER\r\n");
                        if (!quirks.contains(Quirk.NO_UIDL)) {
                            caps.append("UIDL\r\n");
                        }
                        if (quirks.contains(Quirk.OFFER_SASL)) {
                            caps.append("SASL PLAIN XOAUTH2\r\n");
                        }
                        if (quirks.contains(Quirk.OFFER_STLS)) {
                            caps.append("STLS\r\n");
                        }
                        send(out, "+OK");
                        out.write((caps + ".\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                    case "USER" -> {
                        pendingUser = w.length > 1 ? w[1] : "";
                        send(out, "+OK");
                    }
                    case "PASS" -> {
                        authed = user.equals(pendingUser) && line.substring(5).equals(password);
                        send(out, authed ? "+OK logged in" : "-ERR [AUTH] wrong password");
                    }
                    case "APOP" -> {
                        String digest = HexFormat.of()
                                .formatHex(MessageDigest.getInstance("MD5")
                                        .digest((CHALLENGE + password).getBytes(StandardCharsets.ISO_8859_1)));
                        authed = w.length == 3 && user.equals(w[1]) && digest.equals(w[2]);
                        send(out, authed ? "+OK logged in" : "-ERR [AUTH] wrong digest");
                    }
                    case "AUTH" -> {
                        String response = w.length > 2 ? w[2] : "";
                        String decoded = new String(Base64.getDecoder().decode(response), StandardCharsets.UTF_8);
                        authed = w[1].equalsIgnoreCase("PLAIN") && decoded.equals(user + "\0" + user + "\0" + password)
                                || w[1].equalsIgnoreCase("XOAUTH2")
                                        && decoded.equals(
                                                "user=" + user + "\u0001auth=Bearer " + password + "\u0001\u0001");
                        send(out, authed ? "+OK logged in" : "-ERR [AUTH] refused");
                    }
                    case "STAT" -> {
                        long total = 0;
                        for (byte[] m : view) {
                            total += m.length;
                        }
                        send(out, "+OK " + view.size() + " " + total);
                    }
                    case "LIST" -> {
                        send(out, "+OK");
                        StringBuilder b = new StringBuilder();
                        for (int i = 0; i < view.size(); i++) {
                            b.append(i + 1)
                                    .append(' ')
                                    .append(
                                            quirks.contains(Quirk.LIST_HALF_SIZES)
                                                    ? view.get(i).length / 2
                                                    : view.get(i).length)
                                    .append("\r\n");
                        }
                        out.write((b + ".\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                    case "UIDL" -> {
                        if (quirks.contains(Quirk.NO_UIDL)) {
                            send(out, "-ERR no UIDL here");
                        } else if (w.length > 1) {
                            int n = Integer.parseInt(w[1]);
                            send(out, "+OK " + n + " uid-" + uidOf(view.get(n - 1)));
                        } else {
                            send(out, "+OK");
                            if (quirks.contains(Quirk.UIDL_NEVER_ENDS)) {
                                for (long i = 1; !s.isClosed(); i++) {
                                    out.write((i + " endless-" + i + "\r\n").getBytes(StandardCharsets.US_ASCII));
                                }
                            }
                            StringBuilder b = new StringBuilder();
                            for (int i = 0; i < view.size(); i++) {
                                b.append(i + 1)
                                        .append(" uid-")
                                        .append(uidOf(view.get(i)))
                                        .append("\r\n");
                            }
                            out.write((b + ".\r\n").getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                        }
                    }
                    case "TOP" -> {
                        byte[] m = view.get(Integer.parseInt(w[1]) - 1);
                        String text = new String(m, StandardCharsets.ISO_8859_1);
                        int end = text.indexOf("\r\n\r\n");
                        send(out, "+OK");
                        sendMultiline(
                                out,
                                (end < 0 ? text : text.substring(0, end + 4)).getBytes(StandardCharsets.ISO_8859_1));
                    }
                    case "RETR" -> {
                        byte[] m = view.get(Integer.parseInt(w[1]) - 1);
                        send(out, "+OK " + m.length + " octets");
                        if (quirks.contains(Quirk.RETR_NEVER_ENDS)) {
                            byte[] junk = "a line that never ends the answer\r\n".getBytes(StandardCharsets.US_ASCII);
                            while (!s.isClosed()) {
                                out.write(junk);
                            }
                        } else if (quirks.contains(Quirk.RETR_DRIPS)) {
                            byte[] drip = ("x".repeat(2046) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                            while (!s.isClosed()) {
                                out.write(drip);
                                out.flush();
                                Thread.sleep(200);
                            }
                        } else if (quirks.contains(Quirk.RETR_STALLS)) {
                            out.write(m, 0, Math.min(m.length, 20));
                            out.flush();
                            Thread.sleep(60_000);
                        } else {
                            sendMultiline(out, m);
                        }
                    }
                    case "DELE" -> {
                        deleted.add(Integer.parseInt(w[1]));
                        send(out, "+OK marked");
                    }
                    case "RSET" -> {
                        deleted.clear();
                        send(out, "+OK");
                    }
                    case "NOOP" -> send(out, "+OK");
                    case "QUIT" -> {
                        List<byte[]> gone = new ArrayList<>();
                        for (int n : deleted) {
                            gone.add(view.get(n - 1));
                        }
                        maildrop.removeIf(m -> gone.stream().anyMatch(g -> g == m));
                        send(out, "+OK bye");
                        return;
                    }
                    default -> send(out, "-ERR unknown command");
                }
            }
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            // The client went away.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String uidOf(byte[] message) {
        return Integer.toHexString(java.util.Arrays.hashCode(message));
    }

    @Override
    public void close() throws IOException {
        socket.close();
        threads.shutdownNow();
    }
}
