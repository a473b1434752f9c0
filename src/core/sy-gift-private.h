/* sy-gift-private.h — shared between the quiz reader and the GIFT parser
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sy-quiz.h"

G_BEGIN_DECLS

SyQuestion *_sy_question_new            (SyQuestionType   type);
void        _sy_question_free           (SyQuestion      *question);
void        _sy_question_add_option     (SyQuestion      *question,
                                         const char      *id,
                                         SyText          *text,
                                         SyText          *right);
gboolean    _sy_question_set_accepted   (SyQuestion      *question,
                                         GPtrArray       *originals);
SyText     *_sy_text_new_plain          (const char      *text);
gboolean    _sy_number_parse            (const char      *str,
                                         double          *out);
GPtrArray  *_sy_gift_parse              (const char      *data,
                                         gsize            length,
                                         const char      *file_name,
                                         GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyQuestion, _sy_question_free)

G_END_DECLS
