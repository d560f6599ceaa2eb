package ma.tifli;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;

/**
 * Runs mongo-java-server with its in-memory backend on the loopback interface,
 * for the tests (see test/support/mongoJavaServer.ts).
 *
 * <p>Usage: {@code java -jar mongo-java-server-<version>.jar [port]}, where port 0 (the
 * default) takes a free one. Once it accepts connections it prints exactly one line,
 * {@code ready mongodb://127.0.0.1:<port>/}, on stdout: the launcher waits for that line
 * rather than polling the port. SIGTERM stops it through a shutdown hook.
 */
public final class MongoJavaServerLauncher {
  private MongoJavaServerLauncher() {}

  public static void main(String[] args) {
    int port = 0;
    if (args.length > 0) {
      try {
        port = Integer.parseInt(args[0]);
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 0 || port > 65535) {
        System.err.println("usage: java -jar mongo-java-server.jar [port 0-65535], got " + args[0]);
        System.exit(2);
      }
    }

    // MONGO_5_0 is the newest version 1.47.0 offers, and its wire version (8) is the
    // lowest that the Node driver 6.x accepts: MONGO_3_6 (6) and MONGO_4_0 (7) are refused.
    MemoryBackend backend = new MemoryBackend();
    backend.version(ServerVersion.MONGO_5_0);
    MongoServer server = new MongoServer(backend);
    try {
      // Loopback only: a test database has no password and must not be reachable from outside.
      server.bind("127.0.0.1", port);
    } catch (Exception e) {
      // Exception, not IOException: Netty rethrows the BindException unchecked. A failed
      // bind (port in use) leaves Netty's non-daemon threads running, so the JVM
      // would hang instead of exiting: the launcher then waits out its timeout for nothing.
      // One line, not Netty's forty-line stack trace: the launcher shows only the tail of stderr.
      System.err.println("cannot listen on 127.0.0.1:" + port + ": " + e);
      server.shutdownNow();
      System.exit(1);
    }

    // shutdown() closes the open connections and the backend before the JVM exits,
    // so a SIGTERM ends the process promptly and with status 143, not a half-closed socket.
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "mongo-java-server-shutdown"));

    InetSocketAddress address = server.getLocalAddress();
    System.out.println("ready mongodb://127.0.0.1:" + address.getPort() + "/");
    System.out.flush();
    // Netty's non-daemon event-loop threads keep the JVM alive from here on.
  }
}
