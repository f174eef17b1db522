package dev.herald.servlet.containers;

import jakarta.servlet.Servlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Embedded Jetty 12, ee10 (Servlet 6). */
public final class Jetty implements ServletContainer {
  private Server server;
  private ServerConnector connector;

  @Override
  public ServletContainer start(String pathSpec, Servlet servlet, int maxThreads) throws Exception {
    server = new Server(new org.eclipse.jetty.util.thread.QueuedThreadPool(maxThreads, 1));
    // One acceptor and one selector, so that the pool's threads are what bounds request handling.
    connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    ServletHolder holder = new ServletHolder("herald", servlet);
    holder.setAsyncSupported(true);
    context.addServlet(holder, pathSpec);
    // An error page, as applications have (Spring Boot's is /error).
    context.addServlet(new ServletHolder("error", new ErrorPageServlet()), ErrorPageServlet.PATH);
    org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler errors = new org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler();
    errors.addErrorPage(Throwable.class, ErrorPageServlet.PATH);
    errors.addErrorPage(500, ErrorPageServlet.PATH);
    context.setErrorHandler(errors);
    server.setHandler(context);
    server.start();
    return this;
  }

  @Override
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() throws Exception {
    if (server == null) return;
    Server s = server;
    server = null;
    s.stop();
  }

  @Override
  public String toString() {
    return "Jetty";
  }
}
