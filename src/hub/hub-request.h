/* hub-request.h — what a request handler sees and fills in
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server (hub-server.c) accepts a request on its main context, checks the size limit,
 * authentication, the rate limit and (under /xapi/) X-Experience-API-Version, pauses the
 * message, and hands a HubRequest to a worker thread. The handler runs there: it may block
 * on the database (through hub_store_db()), and it only touches the HubRequest, never the
 * SoupServerMessage. When it returns, the server copies the response back on the main
 * context and unpauses. HEAD is served by the GET handler with the body dropped. A long
 * body (a package) is streamed instead: see hub_respond_stream().
 */
#pragma once

#include <json-c/json.h>
#include <libsoup/soup.h>

#include "hub-store.h"

G_BEGIN_DECLS

typedef enum
{
  HUB_ROLE_NONE,         /* not authenticated */
  HUB_ROLE_DEVICE,       /* an enrolled PC: its organisation's learners only */
  HUB_ROLE_COORDINATOR,  /* reads its organisation's records */
  HUB_ROLE_ADMIN,        /* reads and writes everything */
} HubRole;

/**
 * HubPrincipal:
 * @role: what the credential may do
 * @id: row id of the device or user
 * @name: the Basic auth user name (a user's name; a device's id)
 * @org_id: the organisation (0 when none, e.g. an admin without one)
 * @org_name: its name, or %NULL
 */
typedef struct
{
  HubRole  role;
  gint64   id;
  char    *name;
  gint64   org_id;
  char    *org_name;
} HubPrincipal;

typedef struct _HubConfig HubConfig;

/**
 * HubReadFunc:
 * @store: the store, for hub_store_db() on the calling thread
 * @data: the data given to hub_respond_stream()
 * @offset: where to read from, in bytes from the start of the body
 * @max: at most this many bytes (never more than what is left of the body)
 * @error: return location for an error
 *
 * Reads the next piece of a streamed body. Called on a worker thread (it may query the
 * database), one call at a time per response, with increasing offsets.
 *
 * Returns: (transfer full): between 1 and @max bytes, or %NULL with @error set
 */
typedef GBytes *(*HubReadFunc) (HubStore  *store,
                                gpointer   data,
                                goffset    offset,
                                gsize      max,
                                GError   **error);

typedef struct
{
  /* request: read-only for handlers */
  HubStore           *store;
  const HubConfig    *config;
  const char         *method;          /* "GET", "PUT", …; "GET" for HEAD */
  gboolean            is_head;
  const char         *path;            /* decoded path, e.g. "/xapi/statements" */
  GHashTable         *query;           /* decoded parameters, char* → char*; never NULL */
  SoupMessageHeaders *request_headers; /* a copy, safe to read from the worker */
  GBytes             *body;            /* never NULL (empty when there was no body) */
  const HubPrincipal *principal;       /* never NULL; role NONE when anonymous */
  const char         *base_url;        /* "http://host:port" as the client reached us, no
                                          trailing slash (Host header, or X-Forwarded-*
                                          when configured behind a proxy) */
  /* response: filled by the handler */
  guint               status;          /* 0 until set */
  SoupMessageHeaders *response_headers;
  GBytes             *response_body;   /* NULL for none */
  char               *content_type;
  /* a streamed body (hub_respond_stream); the server's business */
  goffset             stream_length;
  HubReadFunc         stream_read;
  gpointer            stream_data;
  GDestroyNotify      stream_destroy;
  /* hub_request_hold_until_done() */
  gpointer            held;
  GDestroyNotify      held_destroy;
  /* hub_request_suspend(): the holds on the answer; the server's business */
  gint                holds;
  void              (*resume) (gpointer job);
  gpointer            job;
} HubRequest;

typedef void (*HubHandler) (HubRequest *req);

/* Responses. Each replaces any body set before. */
void  hub_respond_json    (HubRequest  *req,
                           guint        status,
                           json_object *body);          /* takes a reference */
void  hub_respond_bytes   (HubRequest  *req,
                           guint        status,
                           const char  *content_type,
                           GBytes      *body);          /* takes a reference; may be NULL */
void  hub_respond_empty   (HubRequest  *req,
                           guint        status);
/* A body of @length bytes that the server sends piece by piece as the client takes it,
 * calling @read on a worker thread for each piece (of at most 256 KiB), so that a response
 * costs about two pieces of memory however long it is. Content-Length is @length. The
 * first piece is read before the status goes out, so an error there still becomes a 500;
 * an error later is logged and the connection closed (the client sees a short body). A
 * HEAD request reads nothing. @destroy (may be NULL) frees @data when the response is
 * done, on any thread. */
void  hub_respond_stream  (HubRequest    *req,
                           guint          status,
                           const char    *content_type,
                           goffset        length,
                           HubReadFunc    read,
                           gpointer       data,
                           GDestroyNotify destroy);
/* For an answer that another thread completes (the statement writer, once the commit is
 * durable): the handler calls hub_request_suspend() before handing the request over and
 * returns without an answer; the other thread fills the answer in and calls
 * hub_request_resume(), after which it must not touch @req. The answer goes out when both
 * the handler has returned and hub_request_resume() was called, in either order; the
 * worker thread is free for other requests meanwhile. Not for streamed bodies. */
void  hub_request_suspend (HubRequest  *req);
void  hub_request_resume  (HubRequest  *req);

/* Keeps @data (one per request) until the request is done and frees it then with
 * @destroy, on the server's main context: for what a thread that must not be slowed (the
 * statement writer) would otherwise free. */
void  hub_request_hold_until_done (HubRequest     *req,
                                  gpointer        data,
                                  GDestroyNotify  destroy);

/* An error: JSON {"error": {"code": STATUS, "message": "…"}}. The message is in English,
 * says what was wrong and, for a statement, names the JSON path. */
void  hub_respond_error   (HubRequest  *req,
                           guint        status,
                           const char  *format,
                           ...) G_GNUC_PRINTF (3, 4);

/* Lookups. */
const char *hub_request_param  (HubRequest *req,
                                const char *name);
const char *hub_request_header (HubRequest *req,
                                const char *name);

const char *hub_role_to_string (HubRole role);

/* Whether an Accept-Encoding value allows gzip (q > 0 for gzip or x-gzip, or for * when
 * gzip is not named). FALSE for NULL. */
gboolean    hub_accepts_gzip   (const char *header);

G_END_DECLS
