package mantis.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import mantis.security.Role;
import mantis.security.TokenEntry;
import mantis.security.TokenStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mantis token}: bearer tokens for the gRPC services. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description =
        "Bearer tokens for gRPC clients: the server stores only their SHA-256 hashes (see docs/SECURITY.md).",
    subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class})
final class TokenCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code mantis token create}. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Make a new random token (mt_ + 256 random bits) and print it ONCE on standard output; its hash goes "
              + "into --tokens-file, or without it is printed as a YAML entry for the config's security.tokens list.")
  static final class Create implements Callable<Integer> {
    @Option(
        names = "--name",
        required = true,
        description = "Who holds the token, unique per server (e.g. lab-arm-1).")
    String name;

    @Option(names = "--role", required = true, description = "viewer, operator or admin.")
    String role;

    @Option(
        names = "--tokens-file",
        paramLabel = "YAML",
        description =
            "Append the hashed entry to this file (created owner-only if missing); a name already in it is "
                + "refused.")
    Path tokensFile;

    @Override
    public Integer call() {
      TokenEntry entry;
      String token = TokenStore.newToken();
      try {
        entry = TokenEntry.forToken(name, Role.parse(role), token);
      } catch (IllegalArgumentException e) {
        System.err.println("mantis token create: " + e.getMessage());
        return 2;
      }
      if (tokensFile != null) {
        try {
          TokenStore.append(tokensFile, entry);
        } catch (IllegalArgumentException e) {
          System.err.println("mantis token create: " + e.getMessage());
          return 2;
        } catch (IOException e) {
          System.err.println(
              "mantis token create: cannot write " + tokensFile + ": " + e.getMessage());
          return 1;
        }
      }
      System.err.println(
          "mantis token create: new "
              + entry.role().configName()
              + " token '"
              + entry.name()
              + "', shown only this once (only its SHA-256 is kept); save it now, e.g. in a file only you can read, "
              + "for --token-file or MANTIS_TOKEN:");
      System.out.println(token);
      if (tokensFile != null) {
        System.err.println(
            "mantis token create: added '"
                + entry.name()
                + "' (sha256 "
                + entry.hashPrefix()
                + "...) to "
                + tokensFile
                + "; a server reads it at start (--tokens-file)");
      } else {
        System.err.println(
            "mantis token create: add this entry to the server config (security: tokens:):");
        System.err.print(entry.toYaml());
      }
      return 0;
    }
  }

  /** {@code mantis token list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "List the tokens of a tokens file: names, roles and hash prefixes (the tokens are not stored).")
  static final class ListTokens implements Callable<Integer> {
    @Option(
        names = "--tokens-file",
        paramLabel = "YAML",
        required = true,
        description = "The tokens file.")
    Path tokensFile;

    @Override
    public Integer call() {
      TokenStore store;
      try {
        store = TokenStore.load(tokensFile);
      } catch (IllegalArgumentException e) {
        System.err.println("mantis token list: " + e.getMessage());
        return 2;
      }
      System.out.printf(Locale.ROOT, "%-32s %-9s %s%n", "NAME", "ROLE", "SHA256");
      for (TokenEntry e : store.entries()) {
        System.out.printf(
            Locale.ROOT, "%-32s %-9s %s...%n", e.name(), e.role().configName(), e.hashPrefix());
      }
      System.err.println("mantis token list: " + store.size() + " token(s) in " + tokensFile);
      return 0;
    }
  }
}
