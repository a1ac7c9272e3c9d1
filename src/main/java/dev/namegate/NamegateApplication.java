package dev.namegate;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import dev.namegate.demo.DemoMode;

/** The namegate service: the public user-name API over the internal user service. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class NamegateApplication {

    public static void main(String[] args) {
        application().run(args);
    }

    /** The application as {@code main} runs it: demo mode first, then the required-settings check. */
    static SpringApplication application() {
        SpringApplication app = new SpringApplication(NamegateApplication.class);
        app.addListeners(new DemoMode(), new RequiredSettings());
        return app;
    }
}
