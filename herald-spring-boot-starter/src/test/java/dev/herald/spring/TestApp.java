package dev.herald.spring;

import dev.herald.server.Subscription;
import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.server.SecurityWebFilterChain;

/**
 * An application as a team writes it, run on MVC or on WebFlux: Spring Security with HTTP Basic
 * (every path open; Herald's authenticated topics, {@code private/*} in application.properties,
 * decided by the default authorizer), and one stream endpoint of its own whose streams the server
 * ends after a moment, so that clients are dropped and come back.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class TestApp {
  static final String USER = "ada";
  static final String PASSWORD = "lovelace";
  static final Duration SHORT_STREAM = Duration.ofMillis(1200);
  static final String LOCALHOST_ORIGINS = "http://localhost:*";

  static UserDetails user() {
    return User.withUsername(USER).password("{noop}" + PASSWORD).roles("USER").build();
  }

  /** {@code /short?topic=T}: streams that the server ends after {@link #SHORT_STREAM}. */
  @Bean
  HeraldStream shortStreams() {
    return new HeraldStream("/short", request -> Subscription.of(request.queryParam("topic").orElseThrow(
        () -> new IllegalArgumentException("no topic"))).endingAt(Instant.now().plus(SHORT_STREAM)));
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  static class ServletSecurity {
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(a -> a.anyRequest().permitAll())
          .httpBasic(Customizer.withDefaults())
          .csrf(c -> c.disable())
          .build();
    }

    /** CORS for pages on http://localhost:* (the tests' other origin: streams go to 127.0.0.1). */
    @Bean
    org.springframework.web.cors.CorsConfigurationSource cors() {
      var config = new org.springframework.web.cors.CorsConfiguration();
      config.addAllowedOriginPattern(LOCALHOST_ORIGINS);
      config.addAllowedMethod("GET");
      var source = new org.springframework.web.cors.UrlBasedCorsConfigurationSource();
      source.registerCorsConfiguration("/**", config);
      return source;
    }

    @Bean
    InMemoryUserDetailsManager users() {
      return new InMemoryUserDetailsManager(user());
    }

    /** Counts the container's error dispatches: a stream whose client left must not make one. */
    @Bean
    org.springframework.boot.web.servlet.FilterRegistrationBean<jakarta.servlet.Filter> errorDispatches(
        java.util.concurrent.atomic.AtomicInteger errorDispatchCount) {
      var registration = new org.springframework.boot.web.servlet.FilterRegistrationBean<jakarta.servlet.Filter>(
          (request, response, chain) -> {
            errorDispatchCount.incrementAndGet();
            chain.doFilter(request, response);
          });
      registration.setDispatcherTypes(jakarta.servlet.DispatcherType.ERROR);
      return registration;
    }

    @Bean
    java.util.concurrent.atomic.AtomicInteger errorDispatchCount() {
      return new java.util.concurrent.atomic.AtomicInteger();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  static class ReactiveSecurity {
    @Bean
    SecurityWebFilterChain security(ServerHttpSecurity http) {
      return http.authorizeExchange(a -> a.anyExchange().permitAll())
          .httpBasic(Customizer.withDefaults())
          .csrf(c -> c.disable())
          .build();
    }

    /** The same CORS rule as on MVC, as a WebFlux application declares it. */
    @Bean
    org.springframework.web.reactive.config.WebFluxConfigurer cors() {
      return new org.springframework.web.reactive.config.WebFluxConfigurer() {
        @Override
        public void addCorsMappings(org.springframework.web.reactive.config.CorsRegistry registry) {
          registry.addMapping("/**").allowedOriginPatterns(LOCALHOST_ORIGINS).allowedMethods("GET");
        }
      };
    }

    @Bean
    MapReactiveUserDetailsService users() {
      return new MapReactiveUserDetailsService(user());
    }
  }
}
