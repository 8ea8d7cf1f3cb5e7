/**
 * The teleop comparison web dashboard: a Javalin HTTP server in front of a
 * {@link mantis.server.teleop.Teleop}, a JSON API ({@code /api/...}) and one plain-JavaScript page
 * (resources {@code mantis/server/dashboard/}) with Chart.js served from its webjar. Listens on
 * localhost by default; bound to any other address the page asks for a token on a login form (a
 * session cookie follows) and every {@code /api} path requires that cookie or the token as a Bearer
 * header. Every request's {@code Host} must name this dashboard (against DNS rebinding).
 */
package mantis.server.dashboard;
