/* hub-server.h — the HTTP server: routes, limits, workers, shutdown
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "hub-request.h"

G_BEGIN_DECLS

/* The xAPI version the hub speaks and sends in X-Experience-API-Version. */
#define HUB_XAPI_VERSION "1.0.3"

struct _HubConfig
{
  char    *listen;             /* "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:8080"; port 0 = any */
  char    *tls_cert;           /* PEM files, or NULL for plain HTTP */
  char    *tls_key;
  char    *public_url;         /* the hub's address as clients know it (authority, package
                                  URLs), or NULL to take it from each request */
  gsize    max_body;           /* bytes; larger bodies get 413 (default 32 MiB) */
  guint    rate_limit;         /* requests per minute per credential (0 = no limit) */
  guint    rate_burst;         /* requests allowed at once above the rate (default 2× per second rate, min 20) */
  char    *access_log;         /* file path, "-" for standard error, NULL for none */
  guint    workers;            /* worker threads (default 2 × cores, at least 4) */
  gboolean trust_proxy;        /* take the client address and scheme from X-Forwarded-* */
};

typedef enum
{
  HUB_ROUTE_PUBLIC   = 0,       /* anyone */
  HUB_ROUTE_AUTH     = 1 << 0,  /* a valid credential (Basic auth) */
  HUB_ROUTE_XAPI     = 1 << 1,  /* X-Experience-API-Version required on the request */
} HubRouteFlags;

/**
 * HubRoute:
 * @methods: space-separated methods ("GET PUT POST DELETE"); GET implies HEAD
 * @path: an exact path, or a prefix ending in "/" + "*" (the handler parses the rest)
 * @flags: #HubRouteFlags
 * @handler: runs on a worker thread
 *
 * Each part of the hub exports a table ending with a route whose @path is %NULL.
 */
typedef struct
{
  const char    *methods;
  const char    *path;
  HubRouteFlags  flags;
  HubHandler     handler;
} HubRoute;

extern const HubRoute hub_routes_statements[];  /* hub-xapi-statements.c */
extern const HubRoute hub_routes_documents[];   /* hub-xapi-documents.c: documents,
                                                   agents, activities, about */
extern const HubRoute hub_routes_access[];      /* hub-api-access.c: devices, learners */
extern const HubRoute hub_routes_catalog[];     /* hub-api-catalog.c: catalog, packages */
extern const HubRoute hub_routes_reports[];     /* hub-api-reports.c: coordinators' reports */

typedef struct _HubServer HubServer;

void        hub_config_init     (HubConfig   *config);  /* defaults */
void        hub_config_clear    (HubConfig   *config);

HubServer  *hub_server_new      (HubStore    *store,
                                 const HubConfig *config,
                                 GError     **error);
/* Binds the listening socket; prints nothing. */
gboolean    hub_server_listen   (HubServer   *server,
                                 GError     **error);
/* "http://127.0.0.1:39211" once listening. */
const char *hub_server_get_url  (HubServer   *server);
/* Stops accepting, lets in-flight requests finish (at most @timeout_ms), then returns. */
void        hub_server_shutdown (HubServer   *server,
                                 guint        timeout_ms);
void        hub_server_free     (HubServer   *server);

G_END_DECLS
