/* hub-test-util.h — a real shuyuan-hub process for tests, and a small HTTP client
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-c/json.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  GSubprocess *process;
  char        *url;           /* "http://127.0.0.1:PORT" */
  char        *target;        /* the --data-dir folder or the --db URL */
  char        *target_option; /* "--data-dir" or "--db" */
  char        *admin;         /* "admin:SECRET": an admin account made before serving */
  SoupSession *session;
} HubTestHub;

typedef struct
{
  guint               status;
  SoupMessageHeaders *headers;
  GBytes             *body;
  const char         *text;   /* the body as a NUL-terminated string */
  json_object        *json;   /* the body parsed, or NULL */
} HubTestResponse;

/* The engine the test runs on: SHUYUAN_HUB_TEST_ENGINE, "sqlite" (default) or
 * "postgresql". */
const char      *hub_test_engine           (void);
/* A new, empty storage target on that engine: a fresh temporary folder, or a new database
 * in this process's PostgreSQL cluster. */
char            *hub_test_new_target       (void);

/* Runs `shuyuan-hub ARGS… --data-dir|--db TARGET` to completion; returns its exit status,
 * and its standard output and error if asked. NULL-terminated arguments. */
int              hub_test_hub_command      (const char  *target,
                                            char       **out,
                                            char       **err,
                                            const char  *first_arg,
                                            ...) G_GNUC_NULL_TERMINATED;

/* Starts `shuyuan-hub serve` on a new target (or @target when not NULL) listening on
 * 127.0.0.1 port 0, with an admin account, and waits until it answers /health. Extra
 * serve arguments, NULL-terminated. Aborts the test on failure. */
HubTestHub      *hub_test_hub_start        (const char  *target,
                                            const char  *first_extra_arg,
                                            ...) G_GNUC_NULL_TERMINATED;
/* SIGTERM, wait (asserting a clean exit), free. */
void             hub_test_hub_stop         (HubTestHub  *hub);
/* SIGKILL, wait, free. */
void             hub_test_hub_kill         (HubTestHub  *hub);

/* One request. @auth is "name:secret" (Basic) or NULL. Under /xapi/ the header
 * X-Experience-API-Version: 1.0.3 is sent unless the extra headers name it (an empty value
 * then means "leave it out"). Extra headers: name, value pairs, NULL-terminated.
 * @body may be NULL; @content_type defaults to application/json when there is a body. */
HubTestResponse *hub_test_request          (HubTestHub  *hub,
                                            const char  *method,
                                            const char  *path_and_query,
                                            const char  *auth,
                                            const char  *content_type,
                                            const char  *body,
                                            gssize       body_len,
                                            const char  *first_header,
                                            ...) G_GNUC_NULL_TERMINATED;
/* A POST of JSON (@body_len -1: up to the NUL) to @url as @auth ("name:secret", Basic),
 * with X-Experience-API-Version 1.0.3, on @session: a session of the calling thread's own,
 * for tests that post from several threads at once (hub_test_request() uses the hub's).
 * @accept_encoding: sent as Accept-Encoding, or NULL for the session's own. Returns the
 * message, for its status and response headers; the answer's body in @response (NULL when
 * none came, e.g. the connection closed). */
SoupMessage     *hub_test_post_json        (SoupSession *session,
                                            const char  *url,
                                            const char  *auth,
                                            const char  *body,
                                            gssize       body_len,
                                            const char  *accept_encoding,
                                            GBytes     **response);
/* GET/PUT/POST/DELETE of JSON with the admin account, no extra headers. */
HubTestResponse *hub_test_admin            (HubTestHub  *hub,
                                            const char  *method,
                                            const char  *path_and_query,
                                            const char  *json_body);
void             hub_test_response_free    (HubTestResponse *response);

/* g_assert that the response has @status; on failure prints the body. */
#define hub_test_assert_status(resp, expected) \
  G_STMT_START { \
    if ((resp)->status != (guint) (expected)) \
      g_error ("%s:%d: expected HTTP %u, got %u: %s", __FILE__, __LINE__, \
               (guint) (expected), (resp)->status, (resp)->text ? (resp)->text : ""); \
  } G_STMT_END

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HubTestResponse, hub_test_response_free)

G_END_DECLS
