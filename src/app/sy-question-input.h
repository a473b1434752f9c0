/* sy-question-input.h — the answer controls of one quiz or survey question (private)
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "sy-quiz.h"

G_BEGIN_DECLS

#define SY_TYPE_QUESTION_INPUT (sy_question_input_get_type ())

G_DECLARE_FINAL_TYPE (SyQuestionInput, sy_question_input, SY, QUESTION_INPUT, GtkWidget)

/*
 * Properties: "has-response" (boolean, read-only: something is chosen or typed),
 * "locked" (boolean: the answer is committed and only shown).
 * Signals: "activated" (Enter in a text entry: the learner wants to submit), "changed"
 * (the answer changed).
 */
GtkWidget   *sy_question_input_new            (SyQuiz          *quiz,
                                               guint            index,
                                               guint32          seed);
SyQuestion  *sy_question_input_get_question   (SyQuestionInput *self);
char        *sy_question_input_get_response   (SyQuestionInput *self);
gboolean     sy_question_input_get_has_response (SyQuestionInput *self);
void         sy_question_input_set_response   (SyQuestionInput *self,
                                               const char      *response);
gboolean     sy_question_input_choose         (SyQuestionInput *self,
                                               guint            n);
gboolean     sy_question_input_get_locked     (SyQuestionInput *self);
void         sy_question_input_set_locked     (SyQuestionInput *self,
                                               gboolean         locked);
void         sy_question_input_show_correct   (SyQuestionInput *self);
void         sy_question_input_focus          (SyQuestionInput *self);
gboolean     sy_question_input_move           (SyQuestionInput *self,
                                               guint            position,
                                               int              delta);

char        *sy_question_describe_response    (SyQuestion      *question,
                                               const char      *response);
char        *sy_question_normalize_number     (const char      *text);

G_END_DECLS
