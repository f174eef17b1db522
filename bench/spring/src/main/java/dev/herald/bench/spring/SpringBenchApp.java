package dev.herald.bench.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * One broadcast app, served three ways for bench/spring/compare.sh:
 * <ul>
 *   <li>{@code --spring.main.web-application-type=servlet}: Tomcat, with both the tutorial's
 *       {@code SseEmitter} hub ({@link EmitterHub}, {@code /emitter/events}, {@code /emitter/publish})
 *       and Herald's starter ({@code /events}, {@code /publish});
 *   <li>{@code --spring.main.web-application-type=reactive}: Reactor Netty, Herald's starter only.
 * </ul>
 * bench/spring-jetty builds these sources with Jetty instead of Tomcat (no WebFlux): the servlet
 * way on Jetty, compare.sh's {@code starter-mvc-jetty}.
 * Each run measures one of them; the script starts one JVM per way.
 */
@SpringBootApplication
public class SpringBenchApp {
  public static void main(String[] args) {
    SpringApplication.run(SpringBenchApp.class, args);
  }
}
