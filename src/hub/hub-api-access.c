/* hub-api-access.c — enrolment of devices and the learner registry over HTTP
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   POST /api/v1/devices          {"code", "label"} → 201 {"device", "secret", "org", "xapi"}
 *   PUT  /api/v1/learners/{uuid}  {"name", "roles", "pin_hash", "external_id"[, "org"]}
 *   GET  /api/v1/learners/{uuid}
 *   GET  /api/v1/learners[?org=NAME]  → {"learners": [...]}
 */
#define G_LOG_DOMAIN "ShuyuanHub"

#include "config.h"

#include <string.h>

#include "hub-server.h"
#include "hub-store-access.h"

/* json-c has no g_autoptr support of its own; local names avoid clashing with any
 * later definition for json_object itself. */
typedef json_object AccessJson;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AccessJson, json_object_put)
typedef json_tokener AccessTokener;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AccessTokener, json_tokener_free)


#define LEARNERS_PREFIX "/api/v1/learners/"

static void
respond_store_error (HubRequest *req,
                     GError     *error)
{
  guint status = SOUP_STATUS_INTERNAL_SERVER_ERROR;

  if (error->domain == HUB_ACCESS_ERROR)
    {
      switch ((HubAccessError) error->code)
        {
        case HUB_ACCESS_ERROR_INVALID:
          status = SOUP_STATUS_BAD_REQUEST;
          break;
        case HUB_ACCESS_ERROR_EXISTS:
        case HUB_ACCESS_ERROR_CONFLICT:
          status = SOUP_STATUS_CONFLICT;
          break;
        case HUB_ACCESS_ERROR_CODE:
        case HUB_ACCESS_ERROR_FORBIDDEN:
          status = SOUP_STATUS_FORBIDDEN;
          break;
        case HUB_ACCESS_ERROR_NOT_FOUND:
          status = SOUP_STATUS_NOT_FOUND;
          break;
        default:
          break;
        }
      hub_respond_error (req, status, "%s", error->message);
      return;
    }
  if (g_error_matches (error, HUB_DB_ERROR, HUB_DB_ERROR_BUSY) ||
      g_error_matches (error, HUB_DB_ERROR, HUB_DB_ERROR_CONNECT))
    {
      soup_message_headers_replace (req->response_headers, "Retry-After", "1");
      hub_respond_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE,
                         "the database is busy or unavailable; try again: %s", error->message);
      return;
    }
  g_warning ("%s %s: %s", req->method, req->path, error->message);
  hub_respond_error (req, status, "the hub failed: %s", error->message);
}

/* The body as a JSON object, or NULL after answering 400. */
static json_object *
parse_body (HubRequest *req)
{
  g_autoptr(AccessTokener) tokener = json_tokener_new ();
  gsize size;
  const char *data = g_bytes_get_data (req->body, &size);
  json_object *root;

  if (size == 0)
    {
      hub_respond_error (req, SOUP_STATUS_BAD_REQUEST, "the request needs a JSON object as its body");
      return NULL;
    }
  root = json_tokener_parse_ex (tokener, data, (int) size);
  if (root == NULL || json_tokener_get_parse_end (tokener) != size)
    {
      enum json_tokener_error jerr = json_tokener_get_error (tokener);

      json_object_put (root);
      hub_respond_error (req, SOUP_STATUS_BAD_REQUEST, "the body is not valid JSON: %s",
                         jerr == json_tokener_success ? "extra data after the value"
                         : json_tokener_error_desc (jerr));
      return NULL;
    }
  if (!json_object_is_type (root, json_type_object))
    {
      json_object_put (root);
      hub_respond_error (req, SOUP_STATUS_BAD_REQUEST, "the body must be a JSON object");
      return NULL;
    }
  return root;
}

static void
handle_devices (HubRequest *req)
{
  g_autoptr(AccessJson) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *device = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *org = NULL;
  g_autofree char *xapi = NULL;
  json_object *code, *label, *reply;
  const char *label_text = NULL;

  body = parse_body (req);
  if (body == NULL)
    return;
  code = json_object_object_get (body, "code");
  if (code == NULL || !json_object_is_type (code, json_type_string))
    {
      hub_respond_error (req, SOUP_STATUS_BAD_REQUEST,
                         "\"code\" must be the enrolment code as a string, like \"K7QF-M2XD-9R\"");
      return;
    }
  label = json_object_object_get (body, "label");
  if (label != NULL)
    {
      if (!json_object_is_type (label, json_type_string) || json_object_get_string_len (label) > 200)
        {
          hub_respond_error (req, SOUP_STATUS_BAD_REQUEST,
                             "\"label\" must be a string of at most 200 characters");
          return;
        }
      label_text = json_object_get_string (label);
    }

  if (!hub_store_enrol_code_redeem (req->store, json_object_get_string (code), label_text,
                                    &device, &secret, &org, &error))
    {
      respond_store_error (req, error);
      return;
    }

  xapi = g_strconcat (req->base_url, "/xapi/", NULL);
  reply = json_object_new_object ();
  json_object_object_add (reply, "device", json_object_new_string (device));
  json_object_object_add (reply, "secret", json_object_new_string (secret));
  json_object_object_add (reply, "org", json_object_new_string (org));
  json_object_object_add (reply, "xapi", json_object_new_string (xapi));
  soup_message_headers_replace (req->response_headers, "Cache-Control", "no-store");
  hub_respond_json (req, SOUP_STATUS_CREATED, reply);
}

static void
handle_learner (HubRequest *req)
{
  g_autoptr(GError) error = NULL;
  const char *uuid = req->path + strlen (LEARNERS_PREFIX);
  json_object *learner;

  if (!g_str_has_prefix (req->path, LEARNERS_PREFIX) || *uuid == '\0' || strchr (uuid, '/') != NULL)
    {
      hub_respond_error (req, SOUP_STATUS_NOT_FOUND,
                         "there is no resource at %s (want /api/v1/learners/UUID)", req->path);
      return;
    }

  if (g_str_equal (req->method, "PUT"))
    {
      g_autoptr(AccessJson) body = parse_body (req);
      json_object *org;
      gboolean created = FALSE;

      if (body == NULL)
        return;
      org = json_object_object_get (body, "org");
      if (org != NULL && !json_object_is_type (org, json_type_string))
        {
          hub_respond_error (req, SOUP_STATUS_BAD_REQUEST, "\"org\" must be an organisation name");
          return;
        }
      if (org != NULL && req->principal->role != HUB_ROLE_ADMIN &&
          g_strcmp0 (json_object_get_string (org), req->principal->org_name) != 0)
        {
          hub_respond_error (req, SOUP_STATUS_FORBIDDEN,
                             "%s belongs to organisation %s and cannot register learners to %s",
                             req->principal->role == HUB_ROLE_DEVICE ? "this device"
                                                                      : "this account",
                             req->principal->org_name ? req->principal->org_name : "(none)",
                             json_object_get_string (org));
          return;
        }
      learner = hub_store_learner_put (req->store, req->principal, uuid, body,
                                       org != NULL ? json_object_get_string (org) : NULL,
                                       &created, &error);
      if (learner == NULL)
        {
          respond_store_error (req, error);
          return;
        }
      hub_respond_json (req, created ? SOUP_STATUS_CREATED : SOUP_STATUS_OK, learner);
      return;
    }

  learner = hub_store_learner_get (req->store, req->principal, uuid, &error);
  if (learner == NULL)
    {
      respond_store_error (req, error);
      return;
    }
  hub_respond_json (req, SOUP_STATUS_OK, learner);
}

static void
handle_learners (HubRequest *req)
{
  g_autoptr(GError) error = NULL;
  json_object *list, *reply;

  list = hub_store_learner_list (req->store, req->principal, hub_request_param (req, "org"), &error);
  if (list == NULL)
    {
      respond_store_error (req, error);
      return;
    }
  reply = json_object_new_object ();
  json_object_object_add (reply, "learners", list);
  hub_respond_json (req, SOUP_STATUS_OK, reply);
}

const HubRoute hub_routes_access[] = {
  { "POST", "/api/v1/devices", HUB_ROUTE_PUBLIC, handle_devices },
  { "GET", "/api/v1/learners", HUB_ROUTE_AUTH, handle_learners },
  { "GET PUT", "/api/v1/learners/*", HUB_ROUTE_AUTH, handle_learner },
  { NULL }
};
