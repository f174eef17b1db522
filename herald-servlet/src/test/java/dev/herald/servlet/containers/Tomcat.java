package dev.herald.servlet.containers;

import jakarta.servlet.Servlet;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;

/** Embedded Tomcat 11. */
public final class Tomcat implements ServletContainer {
  private org.apache.catalina.startup.Tomcat tomcat;
  private Connector connector;

  @Override
  public ServletContainer start(String pathSpec, Servlet servlet, int maxThreads) throws Exception {
    Path base = Files.createTempDirectory("herald-tomcat-");
    tomcat = new org.apache.catalina.startup.Tomcat();
    tomcat.setBaseDir(base.toString());
    connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    connector.setProperty("maxThreads", Integer.toString(maxThreads));
    connector.setProperty("minSpareThreads", "1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", base.toString());
    Wrapper wrapper = org.apache.catalina.startup.Tomcat.addServlet(context, "herald", servlet);
    wrapper.setAsyncSupported(true);
    context.addServletMappingDecoded(pathSpec, "herald");
    // An error page, as applications have (Spring Boot's is /error): where the container sends a
    // request whose async error nobody completed.
    org.apache.catalina.startup.Tomcat.addServlet(context, "error", new ErrorPageServlet());
    context.addServletMappingDecoded(ErrorPageServlet.PATH, "error");
    org.apache.tomcat.util.descriptor.web.ErrorPage page = new org.apache.tomcat.util.descriptor.web.ErrorPage();
    page.setExceptionType(Throwable.class.getName());
    page.setLocation(ErrorPageServlet.PATH);
    context.addErrorPage(page);
    org.apache.tomcat.util.descriptor.web.ErrorPage status = new org.apache.tomcat.util.descriptor.web.ErrorPage();
    status.setErrorCode(500);
    status.setLocation(ErrorPageServlet.PATH);
    context.addErrorPage(status);
    tomcat.start();
    return this;
  }

  @Override
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() throws Exception {
    if (tomcat == null) return;
    org.apache.catalina.startup.Tomcat t = tomcat;
    tomcat = null;
    t.stop();
    t.destroy();
  }

  @Override
  public String toString() {
    return "Tomcat";
  }
}
