package dev.namegate;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The namegate service: the public user-name API over the internal user service. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class NamegateApplication {

    public static void main(String[] args) {
        SpringApplication.run(NamegateApplication.class, args);
    }
}
