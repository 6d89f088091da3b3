package org.embed4j.backend;

/**
 * Run in a child JVM by BackendsTest: prints the backend {@link Backends#auto()} picks under the child's system
 * properties, or the exception it throws, so the -Dembed4j.backend override is tested as users set it.
 */
final class BackendsProbe {
    private BackendsProbe() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("describe")) {
            for (BackendStatus s : Backends.describe()) {
                System.out.println(s.name() + " " + s.available() + " " + s.detail());
            }
        }
        try {
            System.out.println("chose " + Backends.auto().name());
        } catch (RuntimeException e) {
            System.out.println("failed " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
