package dev.herald.spring;

import org.springframework.boot.test.context.SpringBootTest;

/** The starter on WebFlux: Reactor Netty, through the reactive handler. */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "spring.main.web-application-type=reactive")
class WebFluxStreamTest extends StreamSpec {}
