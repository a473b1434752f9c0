/* sy-quiz.h — quizzes and surveys: reading, shuffling, grading
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sy-text.h"
#include "sy-types.h"

G_BEGIN_DECLS

typedef struct _SyQuiz     SyQuiz;
typedef struct _SyQuestion SyQuestion;

/**
 * SyQuestionType:
 *
 * Quiz questions are graded; survey questions (LIKERT and after) are recorded only.
 */
typedef enum
{
  SY_QUESTION_SINGLE,
  SY_QUESTION_MULTIPLE,
  SY_QUESTION_TRUE_FALSE,
  SY_QUESTION_NUMERIC,
  SY_QUESTION_SHORT_TEXT,
  SY_QUESTION_ORDERING,
  SY_QUESTION_MATCHING,
  SY_QUESTION_LIKERT,
  SY_QUESTION_CHOICE,
  SY_QUESTION_NUMBER,
  SY_QUESTION_TEXT,
} SyQuestionType;

/**
 * SyOption:
 * @id: the option id (for matching, the pair id)
 * @text: the option's text (for matching, the left side)
 * @right: matching only: the right side
 *
 * Options of single, multiple and survey choice questions, ordering items (in the correct
 * order), matching pairs, and Likert steps (ids "1"…"n", lowest first).
 */
typedef struct
{
  char   *id;
  SyText *text;
  SyText *right;
} SyOption;

/**
 * SyQuestion:
 * @id: the question id, unique in its quiz
 * @type: its type
 * @prompt: the question
 * @feedback: (nullable): shown after the answer
 * @options: (element-type SyOption): see #SyOption
 * @answer_ids: (nullable): single and multiple: the correct option ids
 * @answer_bool: true-false: the correct answer
 * @answer_number: numeric: the correct answer
 * @tolerance: numeric: the accepted distance from it
 * @unit: (nullable): numeric and survey number: the unit shown
 * @accepted: (nullable): short-text: accepted answers of every language, normalized with
 *   sy_quiz_normalize_text()
 * @multiple_choice: survey choice: more than one option may be chosen
 * @min: survey number: the lowest accepted value (-G_MAXDOUBLE if none)
 * @max: survey number: the highest accepted value (G_MAXDOUBLE if none)
 */
struct _SyQuestion
{
  char           *id;
  SyQuestionType  type;
  SyText         *prompt;
  SyText         *feedback;
  GPtrArray      *options;
  GStrv           answer_ids;
  gboolean        answer_bool;
  double          answer_number;
  double          tolerance;
  SyText         *unit;
  GStrv           accepted;
  gboolean        multiple_choice;
  double          min;
  double          max;
};

#define SY_QUIZ_ERROR (sy_quiz_error_quark ())

typedef enum
{
  SY_QUIZ_ERROR_PARSE,      /* the file is not a valid quiz, survey or GIFT text */
  SY_QUIZ_ERROR_RESPONSE,   /* a response string is malformed for its question */
} SyQuizError;

GQuark       sy_quiz_error_quark        (void);

SyQuiz      *sy_quiz_load               (const char          *path,
                                         gboolean             survey,
                                         GError             **error);
SyQuiz      *sy_quiz_new_from_data      (const char          *data,
                                         gssize               length,
                                         const char          *file_name,
                                         gboolean             survey,
                                         GError             **error);
SyQuiz      *sy_quiz_ref                (SyQuiz              *self);
void         sy_quiz_unref              (SyQuiz              *self);
gboolean     sy_quiz_is_survey          (SyQuiz              *self);
guint        sy_quiz_get_n_questions    (SyQuiz              *self);
SyQuestion  *sy_quiz_get_question       (SyQuiz              *self,
                                         guint                index);
SyQuestion  *sy_quiz_find_question      (SyQuiz              *self,
                                         const char          *id);

GArray      *sy_question_shuffle        (SyQuestion          *question,
                                         guint32              seed);
gboolean     sy_question_grade          (SyQuestion          *question,
                                         const char          *response,
                                         gboolean            *correct,
                                         GError             **error);
char        *sy_question_correct_response (SyQuestion        *question);
const char  *sy_question_interaction_type (SyQuestion        *question);
char        *sy_quiz_normalize_text     (const char          *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyQuiz, sy_quiz_unref)

G_END_DECLS
