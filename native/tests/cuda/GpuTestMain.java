import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.embed4j.backend.BackendStatus;
import org.embed4j.backend.Backends;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * ci/gpu-check.sh's Java half on a machine without Maven (compiled into the pack by ci/gpu-pack.sh): runs the JUnit
 * tests of the packages (with their subpackages) or classes named on the command line, one PASS / FAIL / SKIP line per
 * test, then JUnit's summary. Before that it prints every backend's status and the one Backends.auto() picked.
 *
 * <p>Usage: {@code GpuTestMain [--require-cuda] [--discover] <package or class>...}
 * <ul>
 *   <li>{@code --require-cuda}: exit 2 before any test when CUDA is not the auto-selected backend (the point of the
 *       GPU run is the tests with CUDA chosen, not a quiet fallback to the CPU).</li>
 *   <li>{@code --discover}: count the tests per argument without running them (checks the class path of a pack).</li>
 * </ul>
 * Exit status: 0 when nothing failed, 1 when a test failed or an argument selected no test, 2 as above.
 */
public final class GpuTestMain {
    private GpuTestMain() {}

    public static void main(String[] args) {
        boolean requireCuda = false;
        boolean discoverOnly = false;
        List<String> targets = new ArrayList<>();
        for (String a : args) {
            switch (a) {
                case "--require-cuda" -> requireCuda = true;
                case "--discover" -> discoverOnly = true;
                default -> targets.add(a);
            }
        }
        if (targets.isEmpty()) {
            System.out.println("usage: GpuTestMain [--require-cuda] [--discover] <package or class>...");
            System.exit(2);
        }
        for (BackendStatus s : Backends.describe()) {
            System.out.println("backend " + s.name() + (s.available() ? " available: " : " unavailable: ") + s.detail());
        }
        String chosen = Backends.auto().name();
        System.out.println("backend auto-selected: " + chosen);
        if (requireCuda && !chosen.equals("cuda")) {
            System.out.println("FAIL CUDA is not the auto-selected backend (" + chosen + "): see the cuda line above");
            System.exit(2);
        }
        Launcher launcher = LauncherFactory.create();
        boolean empty = false;
        for (String t : targets) {
            long n = launcher.discover(request(List.of(t))).countTestIdentifiers(TestIdentifier::isTest);
            System.out.println("discovered " + n + " tests in " + t);
            empty |= n == 0;
        }
        if (empty) {
            System.out.println("FAIL an argument selected no test (a package missing from the test jar?)");
            System.exit(1);
        }
        if (discoverOnly) {
            System.exit(0);
        }
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(request(targets), summary, new Lines());
        PrintWriter out = new PrintWriter(System.out, true);
        summary.getSummary().printTo(out);
        summary.getSummary().printFailuresTo(out, 15);
        System.exit(summary.getSummary().getTotalFailureCount() == 0 ? 0 : 1);
    }

    /** A name ending in "Test" or naming a nested test class selects a class, anything else a package. */
    private static LauncherDiscoveryRequest request(List<String> targets) {
        LauncherDiscoveryRequestBuilder b = LauncherDiscoveryRequestBuilder.request();
        for (String t : targets) {
            b.selectors(t.endsWith("Test") || t.contains("Test$") ? selectClass(t) : selectPackage(t));
        }
        return b.build();
    }

    /** One line per finished or skipped test: PASS|FAIL|SKIP class#method display-name [reason]. */
    private static final class Lines implements TestExecutionListener {
        private TestPlan plan;

        @Override
        public void testPlanExecutionStarted(TestPlan testPlan) {
            plan = testPlan;
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            System.out.println("SKIP " + where(id) + ": " + reason);
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult r) {
            if (!id.isTest() && r.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                return;
            }
            String status = switch (r.getStatus()) {
                case SUCCESSFUL -> "PASS ";
                case ABORTED -> "SKIP ";
                case FAILED -> "FAIL ";
            };
            System.out.println(status + where(id) + r.getThrowable().map(t -> "  " + t).orElse(""));
        }

        private String where(TestIdentifier id) {
            String parent = plan == null
                    ? ""
                    : plan.getParent(id).map(TestIdentifier::getLegacyReportingName).orElse("");
            return parent + "#" + id.getDisplayName();
        }
    }
}
