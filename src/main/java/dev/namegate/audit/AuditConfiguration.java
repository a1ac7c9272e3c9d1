package dev.namegate.audit;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.namegate.auth.KeyRegistry;

/** The audit log, and the keys-file reloads it records. */
@Configuration(proxyBeanMethods = false)
public class AuditConfiguration {

    @Bean
    AuditLog auditLog(KeyRegistry keys) {
        // After Boot's logging set-up, which would otherwise reset it.
        AuditAppender.install();
        AuditLog audit = new AuditLog(Clock.systemUTC());
        keys.onReload(reload -> audit.keysReloaded(reload.added(), reload.removed(), reload.keys(), reload.clients()));
        return audit;
    }
}
