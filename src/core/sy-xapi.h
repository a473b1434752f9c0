/* sy-xapi.h — validating xAPI 1.0.3 statements
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-c/json.h>

#include "sy-types.h"

G_BEGIN_DECLS

#define SY_XAPI_ERROR (sy_xapi_error_quark ())

/**
 * SyXapiError:
 * @SY_XAPI_ERROR_INVALID: the statement breaks a rule of xAPI 1.0.3; the message names
 *   the JSON path of the offending property and why, in English (it is an HTTP 400 body)
 */
typedef enum
{
  SY_XAPI_ERROR_INVALID,
} SyXapiError;

/**
 * SyXapiFlags:
 * @SY_XAPI_FLAGS_NONE: `id` optional, `stored` and `authority` rejected: what a
 *   client may send to an LRS
 * @SY_XAPI_REQUIRE_ID: `id` is required (statements made by, or imported into, the app)
 * @SY_XAPI_ALLOW_LRS_PROPERTIES: `stored` and `authority` may be present (statements
 *   that have been through an LRS)
 *
 * `version` is always allowed when it is "1.0" or "1.0.x": the conformance suite expects
 * an LRS to accept it from clients. The suite also expects an LRS to accept (and then
 * overwrite) `stored` and `authority` sent by clients, so the hub's statement resource
 * passes %SY_XAPI_ALLOW_LRS_PROPERTIES.
 */
typedef enum
{
  SY_XAPI_FLAGS_NONE           = 0,
  SY_XAPI_REQUIRE_ID           = 1 << 0,
  SY_XAPI_ALLOW_LRS_PROPERTIES = 1 << 1,
} SyXapiFlags;

GQuark    sy_xapi_error_quark          (void);
gboolean  sy_xapi_validate_statement   (json_object  *statement,
                                        SyXapiFlags   flags,
                                        GError      **error);
gboolean  sy_xapi_is_iri               (const char   *iri);
gboolean  sy_xapi_is_language_tag      (const char   *tag);
gboolean  sy_xapi_is_iso8601_duration  (const char   *duration);
gboolean  sy_xapi_is_timestamp         (const char   *timestamp);

G_END_DECLS
