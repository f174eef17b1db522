package dev.herald.spring;

import dev.herald.server.Broker;
import dev.herald.server.TopicSelector;
import dev.herald.servlet.HeraldServlet;
import dev.herald.spring.internal.AuthorizingSelector;
import dev.herald.spring.internal.ContainerPrincipal;
import dev.herald.spring.internal.ReactiveStreamHandler;
import dev.herald.spring.internal.SecurityPrincipal;
import dev.herald.spring.internal.TomcatConnectionBuffers;
import jakarta.servlet.ServletRegistration;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.filter.CorsFilter;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.servlet.handler.HandlerMappingIntrospector;

/**
 * Herald's streams on the application's own port: {@code herald.path} (topics from
 * {@code ?topic=} and {@code ?pattern=}) and every {@link HeraldStream} bean, each subscription
 * passed through the {@link SubscribeAuthorizer}. On Spring MVC, through {@link HeraldServlet}
 * (asynchronous, non-blocking writes); on WebFlux, through a handler on the reactive server.
 * CORS follows the application's {@link CorsConfigurationSource} bean, when it has one.
 */
@AutoConfiguration(after = HeraldAutoConfiguration.class)
public class HeraldWebAutoConfiguration {

  /** Every stream path with its selector: herald.path first, then the application's. */
  static List<HeraldStream> streams(HeraldProperties properties, ObjectProvider<HeraldStream> extra) {
    List<HeraldStream> all = new ArrayList<>();
    all.add(new HeraldStream(properties.getPath(), TopicSelector.QUERY));
    extra.orderedStream().forEach(all::add);
    return all;
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(value = {HeraldServlet.class, ServletContextInitializer.class},
      name = "org.springframework.web.servlet.DispatcherServlet")
  @ConditionalOnBean(Broker.class)
  static class Servlet {
    @Bean
    ServletContextInitializer heraldServlets(Broker broker, HeraldProperties properties,
        SubscribeAuthorizer authorizer, ObjectProvider<HeraldStream> extra) {
      Supplier<Principal> principal = ClassUtils.isPresent("org.springframework.security.core.Authentication", null)
          ? new SecurityPrincipal() : new ContainerPrincipal();
      List<HeraldStream> streams = streams(properties, extra);
      return context -> {
        for (HeraldStream stream : streams) {
          HeraldServlet servlet = HeraldServlet.builder(broker)
              .topicSelector(new AuthorizingSelector(stream.selector(), authorizer, principal))
              .outboundBufferLimitBytes(properties.getOutboundBufferLimitBytes())
              .maxTopicsPerConnection(properties.getMaxTopicsPerConnection())
              .build();
          ServletRegistration.Dynamic registration = context.addServlet("herald" + stream.path().replace('/', '-'), servlet);
          registration.setAsyncSupported(true);
          registration.addMapping(stream.path());
        }
      };
    }

    /**
     * Spring's CorsFilter on the stream paths, over the application's CorsConfigurationSource; none
     * (a disabled registration) without one. Spring MVC's HandlerMappingIntrospector is a source too,
     * for MVC's own handlers only: it is not the application's.
     */
    @Bean
    FilterRegistrationBean<CorsFilter> heraldCorsFilter(ObjectProvider<CorsConfigurationSource> sources,
        HeraldProperties properties, ObjectProvider<HeraldStream> extra) {
      List<CorsConfigurationSource> own = sources.orderedStream()
          .filter(s -> !(s instanceof HandlerMappingIntrospector))
          .toList();
      FilterRegistrationBean<CorsFilter> registration = new FilterRegistrationBean<>(
          new CorsFilter(own.isEmpty() ? request -> null : own.get(0)));
      registration.setEnabled(!own.isEmpty());
      registration.setUrlPatterns(streams(properties, extra).stream().map(HeraldStream::path).toList());
      registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
      registration.setAsyncSupported(true);
      return registration;
    }

    /** herald.tomcat.*: the buffers each Tomcat connection keeps, which an idle stream holds. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.tomcat.TomcatConnectorCustomizer")
    static class Tomcat {
      @Bean
      TomcatConnectionBuffers heraldTomcatConnectionBuffers(HeraldProperties properties) {
        return new TomcatConnectionBuffers(properties.getTomcat().getSocketBufferBytes(),
            properties.getTomcat().getMaxTrailerBytes());
      }
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @ConditionalOnClass(RouterFunction.class)
  @ConditionalOnBean(Broker.class)
  static class Reactive {
    @Bean
    RouterFunction<ServerResponse> heraldRoutes(Broker broker, HeraldProperties properties,
        SubscribeAuthorizer authorizer, ObjectProvider<HeraldStream> extra) {
      RouterFunctions.Builder routes = RouterFunctions.route();
      for (HeraldStream stream : streams(properties, extra)) {
        routes.GET(stream.path(), new ReactiveStreamHandler(broker, stream.selector(), authorizer,
            properties.getOutboundBufferLimitBytes(), properties.getMaxTopicsPerConnection()));
      }
      return routes.build();
    }
  }
}
