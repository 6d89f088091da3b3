import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.io.PrintWriter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.engine.TestExecutionResult;

/** Runs the JUnit tests of a package (or classes) on a machine without Maven: ci/gpu-check.sh's Java half (compiled by ci/gpu-pack.sh). */
public class GpuTestMain {
    public static void main(String[] args) {
        LauncherDiscoveryRequestBuilder b = LauncherDiscoveryRequestBuilder.request();
        for (String a : args) {
            if (a.endsWith("Test") || a.contains("Test")) b.selectors(selectClass(a)); else b.selectors(selectPackage(a));
        }
        LauncherDiscoveryRequest req = b.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener lines = new TestExecutionListener() {
            @Override public void executionSkipped(TestIdentifier id, String reason) {
                if (id.isTest() || id.isContainer()) System.out.println("SKIP " + id.getDisplayName() + ": " + reason);
            }
            @Override public void executionFinished(TestIdentifier id, TestExecutionResult r) {
                if (id.isTest()) System.out.println((r.getStatus() == TestExecutionResult.Status.SUCCESSFUL ? "PASS "
                        : r.getStatus() == TestExecutionResult.Status.ABORTED ? "SKIP " : "FAIL ")
                        + id.getUniqueId().replaceAll(".*class:([^\\]]*)\\].*method:([^\\]]*)\\].*", "$1#$2").replaceAll(".*class:([^\\]]*)\\].*", "$1") + " " + id.getDisplayName()
                        + r.getThrowable().map(t -> "  " + t).orElse(""));
            }
        };
        launcher.execute(req, summary, lines);
        summary.getSummary().printTo(new PrintWriter(System.out));
        summary.getSummary().printFailuresTo(new PrintWriter(System.out), 15);
        System.exit(summary.getSummary().getTotalFailureCount() == 0 ? 0 : 1);
    }
}
