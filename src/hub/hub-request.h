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
 * context and unpauses. HEAD is served by the GET handler with the body dropped.
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

G_END_DECLS
