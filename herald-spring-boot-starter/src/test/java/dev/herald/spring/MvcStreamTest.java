package dev.herald.spring;

import org.springframework.boot.test.context.SpringBootTest;

/** The starter on Spring MVC: Tomcat, through the servlet adapter. */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "spring.main.web-application-type=servlet")
class MvcStreamTest extends StreamSpec {}
