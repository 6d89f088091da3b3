package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.embed4j.serve.ServeOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `embed4j serve` refuses bad settings with one clear line and exit code 1, before binding anything. */
class ServeCommandTest {
    @TempDir
    Path dir;

    private static String[] run(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Main.commandLine().execute(args);
        } finally {
            System.setErr(err);
        }
        return new String[] {Integer.toString(rc), buf.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void badSettingsAreOneLineErrors() throws Exception {
        String[] none = run("serve");
        assertEquals("1", none[0]);
        assertTrue(none[1].contains("give --model"), none[1]);

        String[] missing = run("serve", "--model", dir.resolve("nope.e4jv").toString());
        assertEquals("1", missing[0]);
        assertTrue(missing[1].contains("nope.e4jv"), missing[1]);

        String[] port = run("serve", "--model", "x.e4jv", "--port", "70000");
        assertEquals("1", port[0]);
        assertTrue(port[1].contains("port must be in [0, 65535], got 70000"), port[1]);

        Path empty = Files.writeString(dir.resolve("token"), "\n");
        String[] token = run("serve", "--model", "x.e4jv", "--token-file", empty.toString());
        assertEquals("1", token[0]);
        assertTrue(token[1].contains("is empty"), token[1]);

        String[] textIndex = run("serve", "--text-index", "docs.e4ji");
        assertEquals("1", textIndex[0]);
        assertTrue(textIndex[1].contains("--text-index needs --model"), textIndex[1]);

        String[] window = run("serve", "--model", "x.e4jv", "--batch-window-us", "2000000");
        assertEquals("1", window[0]);
        assertTrue(window[1].contains("--batch-window-us must be in [0, 1000000], got 2000000"), window[1]);

        String[] batch = run("serve", "--model", "x.e4jv", "--max-batch", "0");
        assertEquals("1", batch[0]);
        assertTrue(batch[1].contains("maxBatch must be >= 1, got 0"), batch[1]);

        String[] body = run("serve", "--model", "x.e4jv", "--max-body-bytes", "2147483647");
        assertEquals("1", body[0]);
        assertTrue(body[1].contains("maxBodyBytes must be in [64, 1073741824], got 2147483647"), body[1]);

        String[] keystore = run(
                "serve",
                "--model",
                "x.e4jv",
                "--tls-keystore",
                dir.resolve("k.p12").toString());
        assertEquals("1", keystore[0]);
        assertTrue(keystore[1].contains("--tls-keystore needs --tls-password-file"), keystore[1]);

        Path password = Files.writeString(dir.resolve("pw"), "secret\n");
        String[] unreadable = run(
                "serve",
                "--model",
                "x.e4jv",
                "--tls-keystore",
                dir.resolve("k.p12").toString(),
                "--tls-password-file",
                password.toString());
        assertEquals("1", unreadable[0]);
        assertTrue(unreadable[1].contains("cannot read the key store"), unreadable[1]);

        String[] host = run("serve", "--model", "x.e4jv", "--allowed-hosts", "good.example,bad/host");
        assertEquals("1", host[0]);
        assertTrue(host[1].contains("allowed host 'bad/host' is not a host name"), host[1]);

        String[] perAddress = run("serve", "--model", "x.e4jv", "--max-connections-per-address", "0");
        assertEquals("1", perAddress[0]);
        assertTrue(perAddress[1].contains("maxConnectionsPerAddress must be >= 1, got 0"), perAddress[1]);

        String[] budget = run("serve", "--model", "x.e4jv", "--max-inflight-bytes", "1000");
        assertEquals("1", budget[0]);
        assertTrue(budget[1].contains("maxInflightBytes must be >= 3145728"), budget[1]);

        String[] head = run("serve", "--model", "x.e4jv", "--head-timeout", "0");
        assertEquals("1", head[0]);
        assertTrue(head[1].contains("headTimeout must be > 0"), head[1]);
    }

    @Test
    void helpShowsTheLibraryDefaults() {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute("serve", "--help"));
        String help = out.toString();
        ServeOptions d = ServeOptions.DEFAULTS;
        for (Object value : new Object[] {
            d.port(),
            d.bind(),
            d.maxBodyBytes(),
            d.maxBatch(),
            d.maxK(),
            d.maxInflightBytes(),
            d.maxConnections(),
            d.maxConnectionsPerAddress(),
            d.headTimeout().toSeconds(),
            d.bodyTimeout().toSeconds(),
            d.idleTimeout().toSeconds(),
            d.shutdownTimeout().toSeconds(),
            d.batchWindow().toNanos() / 1000
        }) {
            assertTrue(help.contains("(default " + value), "no default " + value + " in:\n" + help);
        }
    }
}
