package org.embed4j.cli.data;

/**
 * Body of a raw RFC-822 message or Usenet post: everything after the first empty line (the headers
 * name senders and newsgroups, which would leak the label). A message without an empty line has no headers.
 */
public final class MailText {
    private MailText() {}

    public static String body(String raw) {
        String s = raw.replace("\r\n", "\n");
        int cut = s.indexOf("\n\n");
        return cut < 0 ? s : s.substring(cut + 2);
    }
}
