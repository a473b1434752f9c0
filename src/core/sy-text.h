/* sy-text.h — localized text
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-c/json.h>

#include "sy-types.h"

G_BEGIN_DECLS

#define SY_TYPE_TEXT (sy_text_get_type ())

GType        sy_text_get_type          (void) G_GNUC_CONST;
SyText      *sy_text_new_from_json     (json_object        *obj);
SyText      *sy_text_new_from_string   (const char         *json_or_plain);
SyText      *sy_text_ref               (SyText             *self);
void         sy_text_unref             (SyText             *self);
char        *sy_text_to_json           (SyText             *self);
const char  *sy_text_get               (SyText             *self,
                                        const char * const *languages);
const char  *sy_text_lookup            (SyText             *self,
                                        const char         *language);
guint        sy_text_get_n_languages   (SyText             *self);
const char  *sy_text_get_language      (SyText             *self,
                                        guint               index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyText, sy_text_unref)

G_END_DECLS
