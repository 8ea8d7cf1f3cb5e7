/**
 * The teleop comparison web dashboard: a Javalin HTTP server in front of a {@link
 * mantis.teleop.Teleop}, a JSON API ({@code /api/...}) and one plain-JavaScript page (resources
 * {@code mantis/teleop/dashboard/}) with Chart.js served from its webjar. Listens on localhost by
 * default; bound to any other address the page asks for a token on a login form (a session cookie
 * follows) and every {@code /api} path requires that cookie or the token as a Bearer header. Every
 * request's {@code Host} must name this dashboard (against DNS rebinding). Under {@code mantis
 * serve}'s security the logins are the server's tokens with their roles ({@link
 * mantis.teleop.dashboard.DashboardAction}: viewer watches and e-stops, operator drives, admin
 * resets), the page is served over HTTPS with the server's certificate, plain HTTP off loopback
 * needs {@code --insecure}, and logins, refusals and the arm's events go to the audit log.
 */
package mantis.teleop.dashboard;
