package org.embed4j.cli.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.embed4j.classify.LabeledText;
import org.embed4j.io.Utf8;

/**
 * Loaders for the labelled sets in shared/data/classify (formats in its README), by name:
 * mr, sst2, sst5, trec, trec-fine, subj, mpqa, imdb, 20ng, sms, spamassassin, pros-cons, ag-news,
 * movie-reviews. Official splits are kept (SST's dev set is not part of train or test); the others come
 * as one list in {@code train} for {@link org.embed4j.classify.Splits}. Text is decoded as UTF-8, malformed bytes replaced.
 */
public final class Datasets {
    /** Every name {@link #load} accepts. */
    public static final List<String> NAMES = List.of(
            "mr",
            "sst2",
            "sst5",
            "trec",
            "trec-fine",
            "subj",
            "mpqa",
            "imdb",
            "20ng",
            "sms",
            "spamassassin",
            "pros-cons",
            "ag-news",
            "movie-reviews");

    private Datasets() {}

    /** Loads the set {@code name} from {@code classifyRoot} (the shared/data/classify folder). */
    public static LabeledData load(String name, Path classifyRoot) throws IOException {
        Path d = classifyRoot;
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "mr" ->
                unsplit(name, twoFiles(d.resolve("mr/rt-polarity.pos"), "pos", d.resolve("mr/rt-polarity.neg"), "neg"));
            case "subj" ->
                unsplit(
                        name,
                        twoFiles(
                                d.resolve("subj/quote.tok.gt9.5000"),
                                "subjective",
                                d.resolve("subj/plot.tok.gt9.5000"),
                                "objective"));
            case "mpqa" ->
                unsplit(name, twoFiles(d.resolve("mpqa/mpqa.pos"), "pos", d.resolve("mpqa/mpqa.neg"), "neg"));
            case "sst2" ->
                new LabeledData(
                        name, sst(d.resolve("sst2/stsa.binary.train")), sst(d.resolve("sst2/stsa.binary.test")), true);
            case "sst5" ->
                new LabeledData(
                        name, sst(d.resolve("sst5/stsa.fine.train")), sst(d.resolve("sst5/stsa.fine.test")), true);
            case "trec" ->
                new LabeledData(
                        name,
                        readTrec(d.resolve("trec/train.txt"), false),
                        readTrec(d.resolve("trec/test.txt"), false),
                        true);
            case "trec-fine" ->
                new LabeledData(
                        name,
                        readTrec(d.resolve("trec/train.txt"), true),
                        readTrec(d.resolve("trec/test.txt"), true),
                        true);
            case "imdb" ->
                new LabeledData(name, imdb(d.resolve("imdb/train.tsv.gz")), imdb(d.resolve("imdb/test.tsv.gz")), true);
            case "20ng" -> newsgroups(d.resolve("20newsgroups/20news-bydate.tar.gz"));
            case "sms" -> unsplit(name, sms(d.resolve("sms_spam/SMSSpamCollection")));
            case "spamassassin" -> unsplit(name, spamAssassin(d.resolve("spamassassin/spamassassin.tar.gz")));
            case "pros-cons" -> unsplit(name, prosCons(d.resolve("pros_cons")));
            case "ag-news" -> unsplit(name, agNews(d.resolve("ag_news/test.csv")));
            case "movie-reviews" -> unsplit(name, movieReviews(d.resolve("movie_reviews_v2/movie_reviews_v2.tar.gz")));
            default ->
                throw new IllegalArgumentException(
                        "unknown dataset \"" + name + "\"; known: " + String.join(", ", NAMES));
        };
    }

    private static LabeledData unsplit(String name, List<LabeledText> all) {
        return new LabeledData(name, all, List.of(), false);
    }

    private static List<String> lines(Path p) throws IOException {
        if (!Files.exists(p)) {
            throw new NoSuchFileException(p.toString(), null, "dataset file not found");
        }
        byte[] bytes = Files.readAllBytes(p);
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '\n') {
                int end = i > start && bytes[i - 1] == '\r' ? i - 1 : i;
                // the benchmark files are UTF-8, except for TREC's few Latin-1 lines: each line is read as it is
                // encoded
                String line = Utf8.decode(bytes, start, end - start);
                line = line != null ? line : new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
                if (!line.isBlank()) {
                    out.add(line);
                }
                start = i + 1;
            }
        }
        return out;
    }

    private static List<LabeledText> twoFiles(Path a, String labelA, Path b, String labelB) throws IOException {
        List<LabeledText> out = new ArrayList<>();
        for (String l : lines(a)) {
            out.add(LabeledText.of(labelA, l.trim()));
        }
        for (String l : lines(b)) {
            out.add(LabeledText.of(labelB, l.trim()));
        }
        return out;
    }

    /** {@code label sentence} per line. */
    private static List<LabeledText> sst(Path p) throws IOException {
        List<LabeledText> out = new ArrayList<>();
        for (String l : lines(p)) {
            int sp = l.indexOf(' ');
            if (sp <= 0) {
                throw new IllegalArgumentException(p + ": expected \"label sentence\", got \"" + abbreviate(l) + "\"");
            }
            out.add(LabeledText.of(l.substring(0, sp), l.substring(sp + 1).trim()));
        }
        return out;
    }

    /**
     * Reads the TREC question-classification format (Li &amp; Roth 2002): {@code COARSE:fine question words ...} per
     * line; the label is the coarse class (ABBR, DESC, ENTY, HUM, LOC, NUM), or {@code COARSE:fine} with
     * {@code fine}. Files are UTF-8, or ISO-8859-1 when they are not valid UTF-8 (the official train_5500 file is
     * Latin-1). A line without a {@code COARSE:fine} prefix is an IOException naming the file and line.
     */
    public static List<LabeledText> readTrec(Path p, boolean fine) throws IOException {
        if (!Files.exists(p)) {
            throw new NoSuchFileException(p.toString(), null, "dataset file not found");
        }
        List<LabeledText> out = new ArrayList<>();
        int lineNo = 0;
        for (String l : utf8OrLatin1(Files.readAllBytes(p)).split("\r?\n")) {
            lineNo++;
            if (l.isBlank()) {
                continue;
            }
            int sp = l.indexOf(' ');
            int colon = l.indexOf(':');
            if (sp <= 0 || colon <= 0 || colon > sp) {
                throw new IOException(
                        p + ":" + lineNo + ": expected 'COARSE:fine question', got '" + abbreviate(l) + "'");
            }
            String label = fine ? l.substring(0, sp) : l.substring(0, colon);
            out.add(LabeledText.of(label, l.substring(sp + 1).trim()));
        }
        if (out.isEmpty()) {
            throw new IOException(p + ": no labeled lines");
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private static String utf8OrLatin1(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    /** TSV with header {@code label rating id text}. */
    private static List<LabeledText> imdb(Path p) throws IOException {
        List<LabeledText> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(new GZIPInputStream(Files.newInputStream(p), 1 << 16), StandardCharsets.UTF_8))) {
            String header = r.readLine();
            if (header == null || !header.startsWith("label\t")) {
                throw new IllegalArgumentException(p + ": expected the header \"label<TAB>rating<TAB>id<TAB>text\"");
            }
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.split("\t", 4);
                if (f.length == 4) {
                    out.add(LabeledText.of(f[0], f[3].replace("<br />", " ")));
                }
            }
        }
        return out;
    }

    private static LabeledData newsgroups(Path p) throws IOException {
        List<LabeledText> train = new ArrayList<>();
        List<LabeledText> test = new ArrayList<>();
        TarGz.forEach(p, (name, bytes) -> {
            String[] parts = name.split("/");
            if (parts.length < 3) {
                return;
            }
            String split = parts[parts.length - 3];
            String group = parts[parts.length - 2];
            String body = MailText.body(new String(bytes, StandardCharsets.ISO_8859_1));
            if (split.endsWith("train")) {
                train.add(LabeledText.of(group, body));
            } else if (split.endsWith("test")) {
                test.add(LabeledText.of(group, body));
            }
        });
        return new LabeledData("20ng", train, test, true);
    }

    private static List<LabeledText> sms(Path p) throws IOException {
        List<LabeledText> out = new ArrayList<>();
        for (String l : lines(p)) {
            int tab = l.indexOf('\t');
            if (tab <= 0) {
                throw new IllegalArgumentException(
                        p + ": expected \"ham|spam<TAB>message\", got \"" + abbreviate(l) + "\"");
            }
            out.add(LabeledText.of(l.substring(0, tab), l.substring(tab + 1)));
        }
        return out;
    }

    private static List<LabeledText> spamAssassin(Path p) throws IOException {
        List<LabeledText> out = new ArrayList<>();
        TarGz.forEach(p, (name, bytes) -> {
            String[] parts = name.split("/");
            if (parts.length < 2 || !parts[parts.length - 1].endsWith(".txt")) {
                return;
            }
            String group = parts[parts.length - 2];
            String label = group.startsWith("spam") ? "spam" : "ham";
            out.add(LabeledText.of(label, MailText.body(new String(bytes, StandardCharsets.ISO_8859_1))));
        });
        return out;
    }

    private static List<LabeledText> prosCons(Path dir) throws IOException {
        List<LabeledText> out = new ArrayList<>();
        addTagged(out, dir.resolve("IntegratedPros.txt"), "Pros", "pros");
        addTagged(out, dir.resolve("IntegratedCons.txt"), "Cons", "cons");
        return out;
    }

    /** Lines of {@code <Tag>text</Tag>}; lines whose tag holds nothing are skipped. */
    private static void addTagged(List<LabeledText> out, Path file, String tag, String label) throws IOException {
        for (String l : lines(file)) {
            String text = l.replaceAll("</?" + tag + ">", " ").trim();
            if (!text.isEmpty()) {
                out.add(LabeledText.of(label, text));
            }
        }
    }

    /** CSV {@code "class","title","description"}; classes 1..4 = World, Sports, Business, Sci/Tech. */
    private static List<LabeledText> agNews(Path p) throws IOException {
        String[] names = {"World", "Sports", "Business", "Sci/Tech"};
        List<LabeledText> out = new ArrayList<>();
        for (String l : lines(p)) {
            List<String> f = csvFields(l);
            if (f.size() < 3) {
                throw new IllegalArgumentException(p + ": expected 3 CSV fields, got \"" + abbreviate(l) + "\"");
            }
            int c = Integer.parseInt(f.get(0).trim());
            if (c < 1 || c > 4) {
                throw new IllegalArgumentException(p + ": class " + c + " is not in 1..4");
            }
            out.add(LabeledText.of(names[c - 1], (f.get(1) + " " + f.get(2)).replace('\\', ' ')));
        }
        return out;
    }

    private static List<LabeledText> movieReviews(Path p) throws IOException {
        List<LabeledText> out = new ArrayList<>();
        TarGz.forEach(p, (name, bytes) -> {
            if (name.contains("/pos/") || name.contains("/neg/")) {
                out.add(LabeledText.of(
                        name.contains("/pos/") ? "pos" : "neg", new String(bytes, StandardCharsets.UTF_8)));
            }
        });
        return out;
    }

    /** Fields of one CSV line with double-quoted fields and "" escapes. */
    static List<String> csvFields(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                fields.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        fields.add(cur.toString());
        return fields;
    }
}
