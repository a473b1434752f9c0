/* hub-request.c — responses and lookups for request handlers
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ShuyuanHub"

#include "config.h"

#include "hub-request.h"

static void
clear_stream (HubRequest *req)
{
  if (req->stream_destroy != NULL && req->stream_data != NULL)
    req->stream_destroy (req->stream_data);
  req->stream_length = 0;
  req->stream_read = NULL;
  req->stream_data = NULL;
  req->stream_destroy = NULL;
}

void
hub_respond_bytes (HubRequest  *req,
                   guint        status,
                   const char  *content_type,
                   GBytes      *body)
{
  g_return_if_fail (req != NULL);

  req->status = status;
  clear_stream (req);
  g_clear_pointer (&req->response_body, g_bytes_unref);
  g_clear_pointer (&req->content_type, g_free);
  if (body != NULL)
    req->response_body = g_bytes_ref (body);
  req->content_type = g_strdup (content_type);
}

void
hub_respond_stream (HubRequest    *req,
                    guint          status,
                    const char    *content_type,
                    goffset        length,
                    HubReadFunc    read,
                    gpointer       data,
                    GDestroyNotify destroy)
{
  g_return_if_fail (req != NULL);
  g_return_if_fail (length >= 0);
  g_return_if_fail (read != NULL);

  hub_respond_bytes (req, status, content_type, NULL);
  req->stream_length = length;
  req->stream_read = read;
  req->stream_data = data;
  req->stream_destroy = destroy;
}

void
hub_respond_json (HubRequest  *req,
                  guint        status,
                  json_object *body)
{
  const char *text;
  size_t length = 0;
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (req != NULL);

  if (body == NULL)
    {
      hub_respond_empty (req, status);
      return;
    }
  text = json_object_to_json_string_length (body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
                                            &length);
  bytes = g_bytes_new (text, length);
  hub_respond_bytes (req, status, "application/json", bytes);
  json_object_put (body);
}

void
hub_respond_empty (HubRequest *req,
                   guint       status)
{
  hub_respond_bytes (req, status, NULL, NULL);
}

void
hub_request_hold_until_done (HubRequest     *req,
                             gpointer        data,
                             GDestroyNotify  destroy)
{
  g_return_if_fail (req->held == NULL);
  req->held = data;
  req->held_destroy = destroy;
}

void
hub_request_suspend (HubRequest *req)
{
  g_return_if_fail (req->resume != NULL);
  g_return_if_fail (req->stream_read == NULL);
  g_atomic_int_inc (&req->holds);
}

void
hub_request_resume (HubRequest *req)
{
  if (g_atomic_int_dec_and_test (&req->holds))
    req->resume (req->job);
}

void
hub_respond_error (HubRequest  *req,
                   guint        status,
                   const char  *format,
                   ...)
{
  g_autofree char *message = NULL;
  json_object *error, *root;
  va_list args;

  g_return_if_fail (req != NULL);

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  error = json_object_new_object ();
  json_object_object_add (error, "code", json_object_new_int ((int) status));
  json_object_object_add (error, "message", json_object_new_string (message));
  root = json_object_new_object ();
  json_object_object_add (root, "error", error);
  hub_respond_json (req, status, root);
}

const char *
hub_request_param (HubRequest *req,
                   const char *name)
{
  g_return_val_if_fail (req != NULL, NULL);

  if (req->query == NULL)
    return NULL;
  return g_hash_table_lookup (req->query, name);
}

const char *
hub_request_header (HubRequest *req,
                    const char *name)
{
  g_return_val_if_fail (req != NULL, NULL);

  if (req->request_headers == NULL)
    return NULL;
  return soup_message_headers_get_one (req->request_headers, name);
}

const char *
hub_role_to_string (HubRole role)
{
  switch (role)
    {
    case HUB_ROLE_NONE:
      return "none";
    case HUB_ROLE_DEVICE:
      return "device";
    case HUB_ROLE_COORDINATOR:
      return "coordinator";
    case HUB_ROLE_ADMIN:
      return "admin";
    default:
      return "unknown";
    }
}

gboolean
hub_accepts_gzip (const char *header)
{
  g_auto(GStrv) codings = NULL;
  double gzip_q = -1, star_q = -1;

  if (header == NULL)
    return FALSE;
  codings = g_strsplit (header, ",", -1);
  for (guint i = 0; codings[i]; i++)
    {
      g_auto(GStrv) parts = g_strsplit (codings[i], ";", -1);
      const char *name = g_strstrip (parts[0]);
      double q = 1;

      for (guint k = 1; parts[k]; k++)
        {
          const char *param = g_strstrip (parts[k]);
          if (g_ascii_strncasecmp (param, "q=", 2) == 0)
            q = g_ascii_strtod (param + 2, NULL);
        }
      if (g_ascii_strcasecmp (name, "gzip") == 0 || g_ascii_strcasecmp (name, "x-gzip") == 0)
        gzip_q = q;
      else if (g_str_equal (name, "*"))
        star_q = q;
    }
  return gzip_q >= 0 ? gzip_q > 0 : star_q > 0;
}
