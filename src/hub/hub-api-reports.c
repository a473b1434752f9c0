/* hub-api-reports.c — GET /api/v1/reports/completions and /api/v1/reports/surveys
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For coordinators (their organisation's learners) and admins (everyone, or ?org=NAME);
 * a device gets 403: a PC reports from its own records. Filters: programme, course, from,
 * to (ISO 8601; a date alone for `to` means the whole day). JSON by default, the
 * completions in pages (?offset, ?limit: 1,000 rows unless asked, at most 10,000; the
 * totals always over all); CSV with ?format=csv or Accept: text/csv, every row, as a
 * download that Excel and WPS open with the Chinese intact (UTF-8 with a byte order
 * mark, CRLF, every field quoted).
 */
#define G_LOG_DOMAIN "ShuyuanHub"

#include "config.h"

#include <string.h>

#include "hub-server.h"
#include "hub-store-reports.h"

typedef json_object *(*ReportFunc) (HubStore *, const HubReportFilter *, GError **);
typedef GBytes *(*CsvFunc) (HubStore *, const HubReportFilter *, GError **);

static gboolean
wants_csv (HubRequest *req)
{
  const char *format = hub_request_param (req, "format");
  const char *accept = hub_request_header (req, "Accept");

  if (format != NULL)
    return g_ascii_strcasecmp (format, "csv") == 0;
  return accept != NULL && strstr (accept, "text/csv") != NULL;
}

static gboolean
page_param (HubRequest *req,
            const char *name,
            gint64      fallback,
            gint64      max,
            gint64     *value)
{
  const char *text = hub_request_param (req, name);
  guint64 parsed;

  *value = fallback;
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, g_str_equal (name, "limit") ? 1 : 0, max, &parsed, NULL))
    {
      hub_respond_error (req, SOUP_STATUS_BAD_REQUEST, "%s must be a whole number from %d to %" G_GINT64_FORMAT,
                         name, g_str_equal (name, "limit") ? 1 : 0, max);
      return FALSE;
    }
  *value = (gint64) parsed;
  return TRUE;
}

static void
respond_report (HubRequest *req,
                const char *name,
                ReportFunc  report,
                CsvFunc     csv)
{
  g_autoptr(GError) error = NULL;
  const char *org = hub_request_param (req, "org");
  const char *format = hub_request_param (req, "format");
  HubReportFilter filter = {
    req->principal->org_id,
    hub_request_param (req, "programme"),
    hub_request_param (req, "course"),
    hub_request_param (req, "from"),
    hub_request_param (req, "to"),
  };
  json_object *result;

  if (req->principal->role != HUB_ROLE_COORDINATOR && req->principal->role != HUB_ROLE_ADMIN)
    {
      hub_respond_error (req, SOUP_STATUS_FORBIDDEN,
                         "reports are for coordinators and admins; a device reports from its own records");
      return;
    }
  if (format != NULL && g_ascii_strcasecmp (format, "csv") != 0 && g_ascii_strcasecmp (format, "json") != 0)
    {
      hub_respond_error (req, SOUP_STATUS_BAD_REQUEST, "format is csv or json, not %s", format);
      return;
    }
  if (req->principal->role == HUB_ROLE_ADMIN)
    {
      filter.org_id = 0;
      if (org != NULL && !hub_report_org_id (req->store, org, &filter.org_id, &error))
        {
          if (error != NULL)
            hub_respond_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "%s", error->message);
          else
            hub_respond_error (req, SOUP_STATUS_NOT_FOUND, "there is no organisation %s", org);
          return;
        }
    }
  else if (org != NULL && g_strcmp0 (org, req->principal->org_name) != 0)
    {
      hub_respond_error (req, SOUP_STATUS_FORBIDDEN,
                         "this account belongs to organisation %s and cannot read %s's reports",
                         req->principal->org_name ? req->principal->org_name : "(none)", org);
      return;
    }

  if (wants_csv (req))
    {
      g_autoptr(GBytes) body = csv (req->store, &filter, &error);
      g_autofree char *disposition = g_strdup_printf ("attachment; filename=\"%s.csv\"", name);

      if (body == NULL)
        {
          hub_respond_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "cannot make the report: %s",
                             error->message);
          return;
        }
      soup_message_headers_replace (req->response_headers, "Content-Disposition", disposition);
      hub_respond_bytes (req, SOUP_STATUS_OK, "text/csv; charset=utf-8", body);
      return;
    }

  /* JSON pages: ?offset=N&limit=N (at most 10,000 rows; 1,000 unless asked) */
  if (!page_param (req, "offset", 0, G_MAXINT64, &filter.offset) ||
      !page_param (req, "limit", 1000, 10000, &filter.limit))
    return;
  if (!(result = report (req->store, &filter, &error)))
    {
      hub_respond_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "cannot make the report: %s",
                         error->message);
      return;
    }
  hub_respond_json (req, SOUP_STATUS_OK, result);   /* takes our reference */
}

static void
handle_completions (HubRequest *req)
{
  respond_report (req, "completions", hub_report_completions, hub_report_completions_csv);
}

static void
handle_surveys (HubRequest *req)
{
  respond_report (req, "surveys", hub_report_surveys, hub_report_surveys_csv);
}

const HubRoute hub_routes_reports[] = {
  { "GET", "/api/v1/reports/completions", HUB_ROUTE_AUTH, handle_completions },
  { "GET", "/api/v1/reports/surveys", HUB_ROUTE_AUTH, handle_surveys },
  { NULL }
};
