package io.cairn.transport.ws.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket client written against RFC 6455 by hand, on a plain blocking socket, so that a test decides every
 * frame: its opcode, its FIN bit, where an MQTT packet is cut. Client frames are masked, as the RFC requires.
 * Reads time out after 10 s.
 */
public final class RawWebSocket implements AutoCloseable {

    /** Frame opcodes. */
    public static final int CONTINUATION = 0x0, TEXT = 0x1, BINARY = 0x2, CLOSE = 0x8, PING = 0x9, PONG = 0xA;

    /** A frame read from the server. */
    public record Frame(boolean fin, int opcode, byte[] payload) {
        /** The status code of a close frame. */
        public int closeStatus() {
            return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final SecureRandom random = new SecureRandom();
    private int status;
    private final Map<String, String> headers = new LinkedHashMap<>();

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /**
     * Connects to {@code 127.0.0.1:port} and sends an upgrade request for {@code path}.
     *
     * @param subprotocols the Sec-WebSocket-Protocol header, or {@code null} for none
     * @param origin       the Origin header, or {@code null} for none
     */
    public static RawWebSocket upgrade(int port, String path, String subprotocols, String origin) throws IOException {
        RawWebSocket ws = new RawWebSocket(new Socket("127.0.0.1", port));
        byte[] nonce = new byte[16];
        ws.random.nextBytes(nonce);
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n");
        if (subprotocols != null) {
            request.append("Sec-WebSocket-Protocol: ").append(subprotocols).append("\r\n");
        }
        if (origin != null) {
            request.append("Origin: ").append(origin).append("\r\n");
        }
        ws.out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        ws.out.flush();
        String statusLine = ws.line();
        ws.status = Integer.parseInt(statusLine.split(" ")[1]);
        for (String line = ws.line(); !line.isEmpty(); line = ws.line()) {
            int colon = line.indexOf(':');
            ws.headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        return ws;
    }

    /** The HTTP status of the upgrade response: 101 when upgraded. */
    public int status() {
        return status;
    }

    /** A response header, by lower-case name, or {@code null}. */
    public String header(String name) {
        return headers.get(name);
    }

    /** Sends one masked frame. */
    public void send(boolean fin, int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >> shift));
            }
        }
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** Sends one complete binary frame. */
    public void sendBinary(byte[] payload) throws IOException {
        send(true, BINARY, payload);
    }

    /** Reads the next frame (server frames are not masked). */
    public Frame read() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame((b0 & 0x80) != 0, b0 & 0x0f, payload);
    }

    /** Reads binary and continuation frames until {@code n} bytes of payload have come, and returns them. */
    public byte[] readBytes(int n) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (got.size() < n) {
            Frame f = read();
            if (f.opcode() != BINARY && f.opcode() != CONTINUATION) {
                throw new IOException("expected a binary frame, got opcode " + f.opcode() + " after " + got.size()
                        + " bytes");
            }
            got.write(f.payload());
        }
        return got.toByteArray();
    }

    /** Whether the server has closed the TCP connection: reads until end of stream (or times out). */
    public boolean closedByServer() throws IOException {
        try {
            while (in.read() >= 0) {
                // drain what the server sent before closing
            }
            return true;
        } catch (EOFException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // connection reset
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("connection closed in the HTTP response");
            }
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
