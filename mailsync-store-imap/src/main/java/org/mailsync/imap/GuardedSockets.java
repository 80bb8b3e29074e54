package org.mailsync.imap;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import javax.net.SocketFactory;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Socket factories for Angus Mail ({@code mail.imap.socketFactory}, {@code
 * mail.imap.ssl.socketFactory}) whose sockets read and write through a {@link WireGuard}. The
 * guard must see the IMAP bytes, so on a TLS connection it sits on the TLS socket (the plain text)
 * and the raw socket below passes bytes through.
 *
 * <p>Thread-safe as far as the guard is: one factory per connection.
 */
final class GuardedSockets {
    private GuardedSockets() {}

    /** Plain sockets (no TLS, or before STARTTLS). */
    static final class PlainFactory extends SocketFactory {
        private final WireGuard guard;

        PlainFactory(WireGuard guard) {
            this.guard = guard;
        }

        @Override
        public Socket createSocket() throws SocketException {
            Socket s = new GuardedSocket(guard);
            // Angus Mail has no property for TCP_NODELAY. Without it, an APPEND that waits for the
            // continuation (no LITERAL+) stalls about 40 ms per message on Nagle and delayed ACKs.
            s.setTcpNoDelay(Connection.tcpNoDelay);
            return s;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            Socket s = createSocket();
            s.connect(new java.net.InetSocketAddress(host, port));
            return s;
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            Socket s = createSocket();
            s.bind(new java.net.InetSocketAddress(localHost, localPort));
            s.connect(new java.net.InetSocketAddress(host, port));
            return s;
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            Socket s = createSocket();
            s.connect(new java.net.InetSocketAddress(host, port));
            return s;
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            Socket s = createSocket();
            s.bind(new java.net.InetSocketAddress(localAddress, localPort));
            s.connect(new java.net.InetSocketAddress(address, port));
            return s;
        }
    }

    /** A plain socket whose streams go through the guard until TLS is layered on top of it. */
    static final class GuardedSocket extends Socket {
        private final WireGuard guard;
        private volatile boolean passThrough;

        GuardedSocket(WireGuard guard) {
            this.guard = guard;
        }

        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
            super.connect(endpoint, timeout);
            guard.connected();
        }

        /** TLS goes on top: from now on the guard sits on the TLS socket's plain text. */
        void passThrough() {
            passThrough = true;
        }

        @Override
        public InputStream getInputStream() throws IOException {
            InputStream in = super.getInputStream();
            return passThrough ? in : guard.input(this, in);
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            OutputStream out = super.getOutputStream();
            return passThrough ? out : guard.output(this, out, this::abort);
        }

        private void abort() throws IOException {
            super.close();
        }
    }

    /** TLS sockets layered by the trust decision's factory, guarded on their plain text. */
    static final class TlsFactory extends SSLSocketFactory {
        private final SSLSocketFactory delegate;
        private final WireGuard guard;

        TlsFactory(SSLSocketFactory delegate, WireGuard guard) {
            this.delegate = delegate;
            this.guard = guard;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            if (s instanceof GuardedSocket g) {
                g.passThrough(); // STARTTLS: the guard moves up to the plain text
            } else {
                guard.connected(); // implicit TLS: Angus Mail connected a plain socket just now
            }
            // The handshake runs on the raw socket before any guarded read: bound it the same way.
            s.setSoTimeout(guard.handshakeTimeoutMillis());
            s.setTcpNoDelay(Connection.tcpNoDelay);
            return new GuardedTlsSocket((SSLSocket) delegate.createSocket(s, host, port, autoClose), s, guard);
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return createSocket(new Socket(host, port), host, port, true);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return createSocket(new Socket(host, port, localHost, localPort), host, port, true);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return createSocket(new Socket(host, port), host.getHostName(), port, true);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return createSocket(new Socket(address, port, localAddress, localPort), address.getHostName(), port, true);
        }
    }

    /** An {@link SSLSocket} that delegates everything and guards its streams. */
    static final class GuardedTlsSocket extends SSLSocket {
        private final SSLSocket d;
        private final Socket raw;
        private final WireGuard guard;

        GuardedTlsSocket(SSLSocket delegate, Socket raw, WireGuard guard) {
            this.d = delegate;
            this.raw = raw;
            this.guard = guard;
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return guard.input(this, d.getInputStream());
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            return guard.output(this, d.getOutputStream(), raw::close);
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return d.getSupportedCipherSuites();
        }

        @Override
        public String[] getEnabledCipherSuites() {
            return d.getEnabledCipherSuites();
        }

        @Override
        public void setEnabledCipherSuites(String[] suites) {
            d.setEnabledCipherSuites(suites);
        }

        @Override
        public String[] getSupportedProtocols() {
            return d.getSupportedProtocols();
        }

        @Override
        public String[] getEnabledProtocols() {
            return d.getEnabledProtocols();
        }

        @Override
        public void setEnabledProtocols(String[] protocols) {
            d.setEnabledProtocols(protocols);
        }

        @Override
        public SSLSession getSession() {
            return d.getSession();
        }

        @Override
        public SSLSession getHandshakeSession() {
            return d.getHandshakeSession();
        }

        @Override
        public void addHandshakeCompletedListener(HandshakeCompletedListener listener) {
            d.addHandshakeCompletedListener(listener);
        }

        @Override
        public void removeHandshakeCompletedListener(HandshakeCompletedListener listener) {
            d.removeHandshakeCompletedListener(listener);
        }

        @Override
        public void startHandshake() throws IOException {
            d.startHandshake();
        }

        @Override
        public void setUseClientMode(boolean mode) {
            d.setUseClientMode(mode);
        }

        @Override
        public boolean getUseClientMode() {
            return d.getUseClientMode();
        }

        @Override
        public void setNeedClientAuth(boolean need) {
            d.setNeedClientAuth(need);
        }

        @Override
        public boolean getNeedClientAuth() {
            return d.getNeedClientAuth();
        }

        @Override
        public void setWantClientAuth(boolean want) {
            d.setWantClientAuth(want);
        }

        @Override
        public boolean getWantClientAuth() {
            return d.getWantClientAuth();
        }

        @Override
        public void setEnableSessionCreation(boolean flag) {
            d.setEnableSessionCreation(flag);
        }

        @Override
        public boolean getEnableSessionCreation() {
            return d.getEnableSessionCreation();
        }

        @Override
        public SSLParameters getSSLParameters() {
            return d.getSSLParameters();
        }

        @Override
        public void setSSLParameters(SSLParameters params) {
            d.setSSLParameters(params);
        }

        @Override
        public String getApplicationProtocol() {
            return d.getApplicationProtocol();
        }

        @Override
        public String getHandshakeApplicationProtocol() {
            return d.getHandshakeApplicationProtocol();
        }

        @Override
        public void setHandshakeApplicationProtocolSelector(BiFunction<SSLSocket, List<String>, String> selector) {
            d.setHandshakeApplicationProtocolSelector(selector);
        }

        @Override
        public BiFunction<SSLSocket, List<String>, String> getHandshakeApplicationProtocolSelector() {
            return d.getHandshakeApplicationProtocolSelector();
        }

        @Override
        public void connect(SocketAddress endpoint) throws IOException {
            d.connect(endpoint);
        }

        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
            d.connect(endpoint, timeout);
        }

        @Override
        public void bind(SocketAddress bindpoint) throws IOException {
            d.bind(bindpoint);
        }

        @Override
        public InetAddress getInetAddress() {
            return d.getInetAddress();
        }

        @Override
        public InetAddress getLocalAddress() {
            return d.getLocalAddress();
        }

        @Override
        public int getPort() {
            return d.getPort();
        }

        @Override
        public int getLocalPort() {
            return d.getLocalPort();
        }

        @Override
        public SocketAddress getRemoteSocketAddress() {
            return d.getRemoteSocketAddress();
        }

        @Override
        public SocketAddress getLocalSocketAddress() {
            return d.getLocalSocketAddress();
        }

        @Override
        public SocketChannel getChannel() {
            return d.getChannel();
        }

        @Override
        public void setTcpNoDelay(boolean on) throws SocketException {
            d.setTcpNoDelay(on);
        }

        @Override
        public boolean getTcpNoDelay() throws SocketException {
            return d.getTcpNoDelay();
        }

        @Override
        public void setSoLinger(boolean on, int linger) throws SocketException {
            d.setSoLinger(on, linger);
        }

        @Override
        public int getSoLinger() throws SocketException {
            return d.getSoLinger();
        }

        @Override
        public void sendUrgentData(int data) throws IOException {
            d.sendUrgentData(data);
        }

        @Override
        public void setOOBInline(boolean on) throws SocketException {
            d.setOOBInline(on);
        }

        @Override
        public boolean getOOBInline() throws SocketException {
            return d.getOOBInline();
        }

        @Override
        public void setSoTimeout(int timeout) throws SocketException {
            d.setSoTimeout(timeout);
        }

        @Override
        public int getSoTimeout() throws SocketException {
            return d.getSoTimeout();
        }

        @Override
        public void setSendBufferSize(int size) throws SocketException {
            d.setSendBufferSize(size);
        }

        @Override
        public int getSendBufferSize() throws SocketException {
            return d.getSendBufferSize();
        }

        @Override
        public void setReceiveBufferSize(int size) throws SocketException {
            d.setReceiveBufferSize(size);
        }

        @Override
        public int getReceiveBufferSize() throws SocketException {
            return d.getReceiveBufferSize();
        }

        @Override
        public void setKeepAlive(boolean on) throws SocketException {
            d.setKeepAlive(on);
        }

        @Override
        public boolean getKeepAlive() throws SocketException {
            return d.getKeepAlive();
        }

        @Override
        public void setTrafficClass(int tc) throws SocketException {
            d.setTrafficClass(tc);
        }

        @Override
        public int getTrafficClass() throws SocketException {
            return d.getTrafficClass();
        }

        @Override
        public void setReuseAddress(boolean on) throws SocketException {
            d.setReuseAddress(on);
        }

        @Override
        public boolean getReuseAddress() throws SocketException {
            return d.getReuseAddress();
        }

        @Override
        public void close() throws IOException {
            d.close();
        }

        @Override
        public void shutdownInput() throws IOException {
            d.shutdownInput();
        }

        @Override
        public void shutdownOutput() throws IOException {
            d.shutdownOutput();
        }

        @Override
        public boolean isConnected() {
            return d.isConnected();
        }

        @Override
        public boolean isBound() {
            return d.isBound();
        }

        @Override
        public boolean isClosed() {
            return d.isClosed();
        }

        @Override
        public boolean isInputShutdown() {
            return d.isInputShutdown();
        }

        @Override
        public boolean isOutputShutdown() {
            return d.isOutputShutdown();
        }

        @Override
        public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
            d.setPerformancePreferences(connectionTime, latency, bandwidth);
        }

        @Override
        public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
            d.setOption(name, value);
            return this;
        }

        @Override
        public <T> T getOption(SocketOption<T> name) throws IOException {
            return d.getOption(name);
        }

        @Override
        public Set<SocketOption<?>> supportedOptions() {
            return d.supportedOptions();
        }

        @Override
        public String toString() {
            return d.toString();
        }
    }
}
