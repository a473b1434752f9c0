/* sy-json-private.h — reading the course format's JSON files with messages that name the
 * file and the field (shared by the quiz and puzzle loaders), and a member of an object
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-c/json.h>

G_BEGIN_DECLS

typedef struct
{
  const char  *file;     /* named in every message */
  GQuark       domain;   /* the loader's error domain and code */
  int          code;
  GError     **error;
} SyJsonCtx;

json_object *_sy_json_parse_object (SyJsonCtx  *c,
                                   const char *data,
                                   gsize       length);
gboolean  _sy_json_fail   (SyJsonCtx    *c,
                           const char   *field,
                           const char   *format,
                           ...) G_GNUC_PRINTF (3, 4);
char     *_sy_json_field  (const char   *prefix,
                           const char   *key);
gboolean  _sy_json_get    (SyJsonCtx    *c,
                           json_object  *obj,
                           const char   *prefix,
                           const char   *key,
                           json_type     type,
                           gboolean      required,
                           json_object **out);

/* @key's value in @obj when it is a string, else NULL (also when @obj is NULL) */
const char *_sy_json_member_string (json_object *obj,
                                    const char  *key);

G_END_DECLS
