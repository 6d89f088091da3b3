/** The ./embed4j command line. */
module org.embed4j.cli {
    requires org.embed4j;
    requires org.embed4j.search;
    requires org.embed4j.serve;
    requires info.picocli;
    requires me.tongfei.progressbar;
    requires java.desktop;
    requires java.logging;
    requires xchart;

    opens org.embed4j.cli to
            info.picocli;
}
