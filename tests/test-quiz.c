/* test-quiz.c — quizzes and surveys: the sample courses, JSON and GIFT reading, grading of
 * xAPI responses, short-text normalization and deterministic shuffling
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-c/json.h>
#include <math.h>

#include "sy-quiz.h"
#include "sy-util.h"
#include "test-util.h"

/* ---- helpers ---- */

static SyQuiz *
parse (const char *data,
       const char *file_name,
       gboolean    survey)
{
  g_autoptr(GError) error = NULL;
  SyQuiz *quiz = sy_quiz_new_from_data (data, -1, file_name, survey, &error);

  g_assert_no_error (error);
  g_assert_nonnull (quiz);
  g_assert_cmpint (sy_quiz_is_survey (quiz), ==, survey);
  return quiz;
}

static SyQuiz *
gift (const char *data)
{
  return parse (data, "test.gift", FALSE);
}

/* the text of a single-language (GIFT) or English text */
static const char *
str (SyText *text)
{
  static const char * const en[] = { "en", NULL };

  g_assert_nonnull (text);
  return sy_text_get (text, en);
}

static void
assert_option (SyQuestion *q,
               guint       index,
               const char *id,
               const char *text,
               const char *right)
{
  SyOption *option;

  g_assert_cmpuint (index, <, q->options->len);
  option = g_ptr_array_index (q->options, index);
  g_assert_cmpstr (option->id, ==, id);
  g_assert_cmpstr (str (option->text), ==, text);
  if (right != NULL)
    g_assert_cmpstr (str (option->right), ==, right);
  else
    g_assert_null (option->right);
}

static void
assert_strv (GStrv       strv,
             const char *first,
             ...)
{
  g_autoptr(GPtrArray) expected = g_ptr_array_new ();
  va_list args;

  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *))
    g_ptr_array_add (expected, (gpointer) s);
  va_end (args);

  g_assert_nonnull (strv);
  g_assert_cmpuint (g_strv_length (strv), ==, expected->len);
  for (guint i = 0; i < expected->len; i++)
    g_assert_cmpstr (strv[i], ==, g_ptr_array_index (expected, i));
}

static void
assert_grade (SyQuestion *q,
              const char *response,
              gboolean    expected)
{
  g_autoptr(GError) error = NULL;
  gboolean correct = !expected;

  if (!sy_question_grade (q, response, &correct, &error))
    g_error ("question %s: “%s” was refused: %s", q->id, response, error->message);
  g_assert_no_error (error);
  if (correct != expected)
    g_error ("question %s: “%s” graded %s", q->id, response, correct ? "right" : "wrong");
}

static void
assert_malformed (SyQuestion *q,
                  const char *response)
{
  g_autoptr(GError) error = NULL;
  gboolean correct = 7;

  if (sy_question_grade (q, response, &correct, &error))
    g_error ("question %s: malformed “%s” was graded", q->id, response);
  g_assert_error (error, SY_QUIZ_ERROR, SY_QUIZ_ERROR_RESPONSE);
  g_assert_cmpint (correct, ==, 7);
}

/* A quiz question's correct response is graded right. */
static void
assert_correct_is_right (SyQuestion *q)
{
  g_autofree char *response = sy_question_correct_response (q);

  g_assert_nonnull (response);
  assert_grade (q, response, TRUE);
}

static void
assert_parse_error (const char *data,
                    const char *file_name,
                    gboolean    survey,
                    const char *prefix,
                    const char *part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SyQuiz) quiz = sy_quiz_new_from_data (data, -1, file_name, survey, &error);

  g_assert_null (quiz);
  g_assert_error (error, SY_QUIZ_ERROR, SY_QUIZ_ERROR_PARSE);
  if (!g_str_has_prefix (error->message, prefix) || strstr (error->message, part) == NULL)
    g_error ("expected “%s…%s”, got “%s”", prefix, part, error->message);
}

static gboolean
is_permutation (GArray *order,
                guint   n)
{
  g_autofree gboolean *seen = g_new0 (gboolean, n + 1);

  if (order->len != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      guint k = g_array_index (order, guint, i);

      if (k >= n || seen[k])
        return FALSE;
      seen[k] = TRUE;
    }
  return TRUE;
}

static gboolean
is_identity (GArray *order)
{
  for (guint i = 0; i < order->len; i++)
    if (g_array_index (order, guint, i) != i)
      return FALSE;
  return TRUE;
}

static char *
order_string (GArray *order)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < order->len; i++)
    g_string_append_printf (s, "%s%u", i ? "," : "", g_array_index (order, guint, i));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static const char *
option_id (SyQuestion *q,
           guint       index)
{
  return ((SyOption *) g_ptr_array_index (q->options, index))->id;
}

/* ---- the sample courses ---- */

static const char * const interaction_types[] = {
  "choice", "choice", "true-false", "numeric", "fill-in", "sequencing", "matching",
  "likert", "choice", "numeric", "long-fill-in",
};

/* A well-formed response that is wrong. */
static char *
wrong_response (SyQuestion *q)
{
  g_autoptr(GString) s = g_string_new (NULL);

  switch (q->type)
    {
    case SY_QUESTION_SINGLE:
      for (guint i = 0; i < q->options->len; i++)
        if (!g_str_equal (option_id (q, i), q->answer_ids[0]))
          return g_strdup (option_id (q, i));
      g_assert_not_reached ();

    case SY_QUESTION_MULTIPLE:
      if (g_strv_length (q->answer_ids) > 1)
        {
          /* one right option missing */
          for (guint i = 0; q->answer_ids[i + 1]; i++)
            g_string_append_printf (s, "%s%s", i ? "[,]" : "", q->answer_ids[i]);
          return g_string_free (g_steal_pointer (&s), FALSE);
        }
      for (guint i = 0; i < q->options->len; i++)
        if (!g_str_equal (option_id (q, i), q->answer_ids[0]))
          return g_strdup_printf ("%s[,]%s", q->answer_ids[0], option_id (q, i));
      g_assert_not_reached ();

    case SY_QUESTION_TRUE_FALSE:
      return g_strdup (q->answer_bool ? "false" : "true");

    case SY_QUESTION_NUMERIC:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        return g_strdup (g_ascii_dtostr (buf, sizeof buf, q->answer_number + q->tolerance + 1));
      }

    case SY_QUESTION_SHORT_TEXT:
      return g_strdup ("not an answer 不是答案");

    case SY_QUESTION_ORDERING:
      for (guint i = 0; i < q->options->len; i++)
        g_string_append_printf (s, "%s%s", i ? "[,]" : "", option_id (q, i < 2 ? 1 - i : i));
      return g_string_free (g_steal_pointer (&s), FALSE);

    case SY_QUESTION_MATCHING:
      for (guint i = 0; i < q->options->len; i++)
        g_string_append_printf (s, "%s%s[.]%s", i ? "[,]" : "", option_id (q, i),
                                option_id (q, i < 2 ? 1 - i : i));
      return g_string_free (g_steal_pointer (&s), FALSE);

    default:
      g_assert_not_reached ();
    }
}

static void
check_sample_question (SyQuestion *q,
                       gboolean    survey)
{
  g_autoptr(GArray) order = sy_question_shuffle (q, 12345);
  g_autofree char *correct = sy_question_correct_response (q);

  g_assert_true (sy_id_is_valid (q->id));
  g_assert_nonnull (q->prompt);
  g_assert_cmpstr (sy_question_interaction_type (q), ==, interaction_types[q->type]);
  g_assert_true (is_permutation (order, q->options->len));
  g_assert_cmpint (survey, ==, q->type >= SY_QUESTION_LIKERT);

  if (survey)
    {
      g_assert_null (correct);
      switch (q->type)
        {
        case SY_QUESTION_LIKERT:
          {
            g_autofree char *last = g_strdup_printf ("%u", q->options->len);
            g_assert_cmpuint (q->options->len, >=, 3);
            assert_grade (q, "1", TRUE);
            assert_grade (q, last, TRUE);
            assert_malformed (q, "0");
          }
          break;
        case SY_QUESTION_CHOICE:
          assert_grade (q, option_id (q, 0), TRUE);
          if (q->multiple_choice)
            {
              g_autofree char *two = g_strdup_printf ("%s[,]%s", option_id (q, 0),
                                                      option_id (q, 1));
              assert_grade (q, two, TRUE);
            }
          assert_malformed (q, "no-such-option");
          break;
        case SY_QUESTION_NUMBER:
          assert_grade (q, q->min > -G_MAXDOUBLE ? "0" : "-5", TRUE);
          assert_malformed (q, "many");
          break;
        case SY_QUESTION_TEXT:
          assert_grade (q, "更多顾客 more customers", TRUE);
          break;
        default:
          g_assert_not_reached ();
        }
      return;
    }

  {
    g_autofree char *wrong = wrong_response (q);

    g_assert_nonnull (correct);
    assert_grade (q, correct, TRUE);
    assert_grade (q, wrong, FALSE);
  }
  if (q->type == SY_QUESTION_SHORT_TEXT)
    for (guint i = 0; q->accepted[i]; i++)
      assert_grade (q, q->accepted[i], TRUE);
  if (q->type == SY_QUESTION_ORDERING)
    g_assert_false (is_identity (order));
}

static void
test_samples (void)
{
  g_autofree char *samples = test_samples_dir ();
  g_autoptr(GDir) dir = g_dir_open (samples, 0, NULL);
  guint types_seen = 0, n_quizzes = 0, n_surveys = 0;
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *course_dir = g_build_filename (samples, name, NULL);
      g_autofree char *course_path = g_build_filename (course_dir, "course.json", NULL);
      json_object *course = json_object_from_file (course_path), *modules;

      if (course == NULL)
        continue;
      g_assert_true (json_object_object_get_ex (course, "modules", &modules));
      for (guint m = 0; m < json_object_array_length (modules); m++)
        {
          json_object *items = json_object_object_get (json_object_array_get_idx (modules, m),
                                                       "items");

          for (guint i = 0; i < json_object_array_length (items); i++)
            {
              json_object *item = json_object_array_get_idx (items, i);
              const char *type = json_object_get_string (json_object_object_get (item, "type"));
              const char *file = json_object_get_string (json_object_object_get (item, "file"));
              gboolean survey = g_str_equal (type, "survey");
              g_autoptr(SyQuiz) quiz = NULL;
              g_autoptr(GError) error = NULL;
              g_autofree char *path = NULL;

              if (!survey && !g_str_equal (type, "quiz"))
                continue;
              path = g_build_filename (course_dir, file, NULL);
              quiz = sy_quiz_load (path, survey, &error);
              g_assert_no_error (error);
              g_assert_cmpuint (sy_quiz_get_n_questions (quiz), >, 0);
              survey ? n_surveys++ : n_quizzes++;

              for (guint k = 0; k < sy_quiz_get_n_questions (quiz); k++)
                {
                  SyQuestion *q = sy_quiz_get_question (quiz, k);

                  g_assert_true (sy_quiz_find_question (quiz, q->id) == q);
                  types_seen |= 1u << q->type;
                  check_sample_question (q, survey);
                }
            }
        }
      json_object_put (course);
    }

  g_assert_cmpuint (n_quizzes, >=, 4);
  g_assert_cmpuint (n_surveys, >=, 1);
  /* docs/course-format.md: the samples use every question type */
  g_assert_cmphex (types_seen, ==, (1u << (SY_QUESTION_TEXT + 1)) - 1);
}

/* One sample question, read back field by field. */
static void
test_samples_fields (void)
{
  g_autofree char *samples = test_samples_dir ();
  g_autofree char *path = g_build_filename (samples, "village-doctor-hygiene", "quizzes",
                                            "hand-hygiene.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SyQuiz) quiz = sy_quiz_load (path, FALSE, &error);
  SyQuestion *q;

  g_assert_no_error (error);
  q = sy_quiz_find_question (quiz, "visibly-dirty");
  g_assert_nonnull (q);
  g_assert_cmpint (q->type, ==, SY_QUESTION_SHORT_TEXT);
  assert_strv (q->accepted, "肥皂", "香皂", "洗手液", "皂液", "soap", "liquid soap", "bar soap",
               NULL);
  assert_grade (q, "  Ｓｏａｐ　", TRUE);
  assert_grade (q, "肥皂 ", TRUE);
  assert_grade (q, "LIQUID   soap", TRUE);
  assert_grade (q, "soapy", FALSE);
  g_assert_null (sy_quiz_find_question (quiz, "no-such-question"));

  q = sy_quiz_find_question (quiz, "soap-seconds");
  g_assert_cmpint (q->type, ==, SY_QUESTION_NUMERIC);
  g_assert_cmpfloat (q->answer_number, ==, 20);
  g_assert_cmpfloat (q->tolerance, ==, 0);
  g_assert_cmpstr (sy_text_lookup (q->unit, "zh_CN"), ==, "秒");
  g_assert_cmpstr (sy_text_lookup (q->feedback, "en"), ==,
                   "At least 20 seconds. The whole wash takes about 40–60 seconds.");
}

/* ---- JSON ---- */

#define JSON_QUIZ \
  "{\"questions\": [\n" \
  " {\"id\": \"one\", \"type\": \"single\", \"prompt\": {\"zh_CN\": \"选\", \"en\": \"Pick\"},\n" \
  "  \"options\": [{\"id\": \"x\", \"text\": \"X\"}, {\"id\": \"y\", \"text\": \"Y\"}],\n" \
  "  \"answer\": \"y\", \"feedback\": \"Y it is\"},\n" \
  " {\"id\": \"many\", \"type\": \"multiple\", \"prompt\": \"Pick some\",\n" \
  "  \"options\": [{\"id\": \"x\", \"text\": \"X\"}, {\"id\": \"y\", \"text\": \"Y\"},\n" \
  "              {\"id\": \"z\", \"text\": \"Z\"}],\n" \
  "  \"answer\": [\"z\", \"x\"]},\n" \
  " {\"id\": \"tf\", \"type\": \"true-false\", \"prompt\": \"Yes?\", \"answer\": true},\n" \
  " {\"id\": \"num\", \"type\": \"numeric\", \"prompt\": \"How many?\", \"answer\": 2.5,\n" \
  "  \"tolerance\": 0.25, \"unit\": {\"zh_CN\": \"米\", \"en\": \"m\"}},\n" \
  " {\"id\": \"num0\", \"type\": \"numeric\", \"prompt\": \"How many?\", \"answer\": -3},\n" \
  " {\"id\": \"word\", \"type\": \"short-text\", \"prompt\": \"Word?\",\n" \
  "  \"accept\": {\"zh_CN\": [\"肥皂\", \"Soap\"], \"en\": [\"soap\", \" Liquid  Soap \"]}},\n" \
  " {\"id\": \"order\", \"type\": \"ordering\", \"prompt\": \"Order\",\n" \
  "  \"items\": [{\"id\": \"i1\", \"text\": \"first\"}, {\"id\": \"i2\", \"text\": \"second\"},\n" \
  "            {\"id\": \"i3\", \"text\": \"third\"}]},\n" \
  " {\"id\": \"match\", \"type\": \"matching\", \"prompt\": \"Match\",\n" \
  "  \"pairs\": [{\"id\": \"p\", \"left\": \"L1\", \"right\": \"R1\"},\n" \
  "            {\"id\": \"q\", \"left\": \"L2\", \"right\": \"R2\"},\n" \
  "            {\"id\": \"r\", \"left\": \"L3\", \"right\": \"R3\"}]}\n" \
  "]}\n"

#define JSON_SURVEY \
  "{\"questions\": [\n" \
  " {\"id\": \"happy\", \"type\": \"likert\", \"prompt\": \"Happy?\",\n" \
  "  \"scale\": [\"no\", \"so so\", {\"zh_CN\": \"是\", \"en\": \"yes\"}]},\n" \
  " {\"id\": \"pick\", \"type\": \"choice\", \"prompt\": \"Which?\",\n" \
  "  \"options\": [{\"id\": \"a\", \"text\": \"A\"}, {\"id\": \"b\", \"text\": \"B\"}]},\n" \
  " {\"id\": \"picks\", \"type\": \"choice\", \"prompt\": \"Which?\", \"multiple\": true,\n" \
  "  \"options\": [{\"id\": \"a\", \"text\": \"A\"}, {\"id\": \"b\", \"text\": \"B\"},\n" \
  "              {\"id\": \"c\", \"text\": \"C\"}]},\n" \
  " {\"id\": \"hours\", \"type\": \"number\", \"prompt\": \"Hours?\", \"min\": 0, \"max\": 24,\n" \
  "  \"unit\": \"h\"},\n" \
  " {\"id\": \"any\", \"type\": \"number\", \"prompt\": \"Any number?\"},\n" \
  " {\"id\": \"say\", \"type\": \"text\", \"prompt\": \"Say something\"}\n" \
  "]}\n"

static void
test_json_quiz (void)
{
  g_autoptr(SyQuiz) quiz = parse (JSON_QUIZ, "quizzes/all.json", FALSE);
  SyQuestion *q;

  g_assert_cmpuint (sy_quiz_get_n_questions (quiz), ==, 8);

  q = sy_quiz_get_question (quiz, 0);
  g_assert_cmpstr (q->id, ==, "one");
  g_assert_cmpint (q->type, ==, SY_QUESTION_SINGLE);
  g_assert_cmpstr (sy_text_lookup (q->prompt, "zh_CN"), ==, "选");
  g_assert_cmpstr (str (q->feedback), ==, "Y it is");
  g_assert_cmpuint (q->options->len, ==, 2);
  assert_option (q, 0, "x", "X", NULL);
  assert_option (q, 1, "y", "Y", NULL);
  assert_strv (q->answer_ids, "y", NULL);
  g_assert_cmpstr (sy_question_interaction_type (q), ==, "choice");

  q = sy_quiz_get_question (quiz, 1);
  g_assert_cmpint (q->type, ==, SY_QUESTION_MULTIPLE);
  g_assert_null (q->feedback);
  assert_strv (q->answer_ids, "z", "x", NULL);
  {
    g_autofree char *correct = sy_question_correct_response (q);
    g_assert_cmpstr (correct, ==, "z[,]x");
  }
  assert_grade (q, "x[,]z", TRUE);
  assert_grade (q, "z[,]x", TRUE);
  assert_grade (q, "x", FALSE);
  assert_grade (q, "x[,]y[,]z", FALSE);
  assert_grade (q, "", FALSE);

  q = sy_quiz_get_question (quiz, 2);
  g_assert_cmpint (q->type, ==, SY_QUESTION_TRUE_FALSE);
  g_assert_true (q->answer_bool);
  g_assert_cmpuint (q->options->len, ==, 0);
  assert_grade (q, "true", TRUE);
  assert_grade (q, "false", FALSE);

  q = sy_quiz_get_question (quiz, 3);
  g_assert_cmpint (q->type, ==, SY_QUESTION_NUMERIC);
  g_assert_cmpfloat (q->answer_number, ==, 2.5);
  g_assert_cmpfloat (q->tolerance, ==, 0.25);
  g_assert_cmpstr (sy_text_lookup (q->unit, "zh_CN"), ==, "米");
  {
    g_autofree char *correct = sy_question_correct_response (q);
    g_assert_cmpstr (correct, ==, "2.5");
  }

  q = sy_quiz_get_question (quiz, 4);
  g_assert_cmpfloat (q->answer_number, ==, -3);
  g_assert_cmpfloat (q->tolerance, ==, 0);
  g_assert_null (q->unit);
  {
    g_autofree char *correct = sy_question_correct_response (q);
    g_assert_cmpstr (correct, ==, "-3");
  }

  q = sy_quiz_get_question (quiz, 5);
  g_assert_cmpint (q->type, ==, SY_QUESTION_SHORT_TEXT);
  /* every language, normalized, each once */
  assert_strv (q->accepted, "肥皂", "soap", "liquid soap", NULL);
  {
    g_autofree char *correct = sy_question_correct_response (q);
    g_assert_cmpstr (correct, ==, "肥皂");
  }
  assert_grade (q, "Liquid Soap", TRUE);
  g_assert_cmpstr (sy_question_interaction_type (q), ==, "fill-in");

  q = sy_quiz_get_question (quiz, 6);
  g_assert_cmpint (q->type, ==, SY_QUESTION_ORDERING);
  assert_option (q, 0, "i1", "first", NULL);
  assert_option (q, 2, "i3", "third", NULL);
  {
    g_autofree char *correct = sy_question_correct_response (q);
    g_assert_cmpstr (correct, ==, "i1[,]i2[,]i3");
  }
  assert_grade (q, "i1[,]i3[,]i2", FALSE);
  assert_grade (q, "i3[,]i2[,]i1", FALSE);
  g_assert_cmpstr (sy_question_interaction_type (q), ==, "sequencing");

  q = sy_quiz_get_question (quiz, 7);
  g_assert_cmpint (q->type, ==, SY_QUESTION_MATCHING);
  assert_option (q, 1, "q", "L2", "R2");
  {
    g_autofree char *correct = sy_question_correct_response (q);
    g_assert_cmpstr (correct, ==, "p[.]p[,]q[.]q[,]r[.]r");
  }
  /* pairs in any order */
  assert_grade (q, "r[.]r[,]p[.]p[,]q[.]q", TRUE);
  assert_grade (q, "p[.]q[,]q[.]p[,]r[.]r", FALSE);
  /* two left sides on one right side is a possible, wrong answer */
  assert_grade (q, "p[.]p[,]q[.]p[,]r[.]r", FALSE);
  g_assert_cmpstr (sy_question_interaction_type (q), ==, "matching");

  for (guint i = 0; i < sy_quiz_get_n_questions (quiz); i++)
    assert_correct_is_right (sy_quiz_get_question (quiz, i));
}

static void
test_json_survey (void)
{
  g_autoptr(SyQuiz) survey = parse (JSON_SURVEY, "surveys/s.json", TRUE);
  SyQuestion *q;

  g_assert_cmpuint (sy_quiz_get_n_questions (survey), ==, 6);

  q = sy_quiz_get_question (survey, 0);
  g_assert_cmpint (q->type, ==, SY_QUESTION_LIKERT);
  g_assert_cmpuint (q->options->len, ==, 3);
  assert_option (q, 0, "1", "no", NULL);
  assert_option (q, 1, "2", "so so", NULL);
  assert_option (q, 2, "3", "yes", NULL);
  g_assert_cmpstr (sy_text_lookup (((SyOption *) g_ptr_array_index (q->options, 2))->text,
                                   "zh_CN"), ==, "是");
  g_assert_cmpstr (sy_question_interaction_type (q), ==, "likert");
  assert_grade (q, "3", TRUE);

  q = sy_quiz_get_question (survey, 1);
  g_assert_cmpint (q->type, ==, SY_QUESTION_CHOICE);
  g_assert_false (q->multiple_choice);
  g_assert_cmpstr (sy_question_interaction_type (q), ==, "choice");
  assert_grade (q, "b", TRUE);

  q = sy_quiz_get_question (survey, 2);
  g_assert_true (q->multiple_choice);
  assert_grade (q, "c[,]a", TRUE);
  assert_grade (q, "", TRUE);

  q = sy_quiz_get_question (survey, 3);
  g_assert_cmpint (q->type, ==, SY_QUESTION_NUMBER);
  g_assert_cmpfloat (q->min, ==, 0);
  g_assert_cmpfloat (q->max, ==, 24);
  g_assert_cmpstr (str (q->unit), ==, "h");
  g_assert_cmpstr (sy_question_interaction_type (q), ==, "numeric");
  assert_grade (q, "0", TRUE);
  assert_grade (q, "24", TRUE);
  assert_grade (q, "7.5", TRUE);

  q = sy_quiz_get_question (survey, 4);
  g_assert_cmpfloat (q->min, ==, -G_MAXDOUBLE);
  g_assert_cmpfloat (q->max, ==, G_MAXDOUBLE);
  g_assert_null (q->unit);
  assert_grade (q, "-1e6", TRUE);

  q = sy_quiz_get_question (survey, 5);
  g_assert_cmpint (q->type, ==, SY_QUESTION_TEXT);
  g_assert_cmpstr (sy_question_interaction_type (q), ==, "long-fill-in");
  assert_grade (q, "", TRUE);
  assert_grade (q, "多一点顾客", TRUE);

  for (guint i = 0; i < sy_quiz_get_n_questions (survey); i++)
    g_assert_null (sy_question_correct_response (sy_quiz_get_question (survey, i)));
}

static void
test_json_errors (void)
{
  assert_parse_error ("{\"questions\": [\n{\"id\": \"a\",,}]}", "quizzes/bad.json", FALSE,
                      "quizzes/bad.json: line 2: ", "malformed");
  assert_parse_error ("[]", "quizzes/bad.json", FALSE, "quizzes/bad.json: ", "one JSON object");
  assert_parse_error ("{\"questions\": []}", "q.json", FALSE, "q.json: questions: ", "");
  assert_parse_error ("{\"questions\": [{\"id\": \"a\", \"type\": \"single\", \"prompt\": \"P\","
                      " \"options\": [{\"id\": \"x\", \"text\": \"X\"},"
                      "               {\"id\": \"y\", \"text\": \"Y\"}],"
                      " \"answer\": \"z\"}]}",
                      "q.json", FALSE, "q.json: questions[0].answer: ", "“z”");
  assert_parse_error ("{\"questions\": [{\"id\": \"a\", \"type\": \"likert\", \"prompt\": \"P\","
                      " \"scale\": [\"1\", \"2\", \"3\"]}]}",
                      "q.json", FALSE, "q.json: questions[0].type: ", "“likert”");
  assert_parse_error ("{\"questions\": [{\"id\": \"a\", \"type\": \"single\", \"prompt\": \"P\"}]}",
                      "s.json", TRUE, "s.json: questions[0].type: ", "“single”");
  assert_parse_error ("{\"questions\": [{\"id\": \"a\", \"type\": \"text\", \"prompt\": \"P\"},"
                      " {\"id\": \"a\", \"type\": \"text\", \"prompt\": \"Q\"}]}",
                      "s.json", TRUE, "s.json: questions[1].id: ", "already used");
  assert_parse_error ("{\"questions\": [{\"id\": \"a\", \"type\": \"numeric\", \"prompt\": \"P\","
                      " \"answer\": \"2\"}]}",
                      "q.json", FALSE, "q.json: questions[0].answer: ", "type");
  assert_parse_error ("{\"questions\": [{\"id\": \"a\", \"type\": \"short-text\","
                      " \"prompt\": \"P\","
                      " \"accept\": {\"en\": [\"  \"]}}]}",
                      "q.json", FALSE, "q.json: questions[0].accept: ", "accepted answer");
  assert_parse_error ("{}", "quiz.txt", FALSE, "quiz.txt: ", ".json and .gift");
  assert_parse_error ("{\"questions\": [\"\xff\"]}", "q.json", FALSE, "q.json: ", "UTF-8");
}

/* ---- GIFT ---- */

static void
test_gift_single (void)
{
  g_autoptr(SyQuiz) quiz = gift ("// a comment before the question\n"
                                 "::capital:: What is the capital of France? {\n"
                                 "  =Paris #Right, Paris.\n"
                                 "  ~London #No, that is England's.\n"
                                 "  ~Berlin\n"
                                 "}\n");
  SyQuestion *q;

  g_assert_cmpuint (sy_quiz_get_n_questions (quiz), ==, 1);
  q = sy_quiz_get_question (quiz, 0);
  g_assert_cmpstr (q->id, ==, "capital");
  g_assert_cmpint (q->type, ==, SY_QUESTION_SINGLE);
  g_assert_cmpstr (str (q->prompt), ==, "What is the capital of France?");
  g_assert_cmpuint (sy_text_get_n_languages (q->prompt), ==, 1);
  g_assert_cmpuint (q->options->len, ==, 3);
  assert_option (q, 0, "a", "Paris", NULL);
  assert_option (q, 1, "b", "London", NULL);
  assert_option (q, 2, "c", "Berlin", NULL);
  assert_strv (q->answer_ids, "a", NULL);
  g_assert_cmpstr (str (q->feedback), ==, "Right, Paris.");
  assert_grade (q, "a", TRUE);
  assert_grade (q, "b", FALSE);
  assert_correct_is_right (q);

  /* Moodle's partial credit on wrong answers is just wrong here */
  g_clear_pointer (&quiz, sy_quiz_unref);
  quiz = gift ("Jesus was from {~Jerusalem ~%25%Bethlehem ~%50%Galilee =Nazareth}");
  q = sy_quiz_get_question (quiz, 0);
  g_assert_cmpint (q->type, ==, SY_QUESTION_SINGLE);
  assert_strv (q->answer_ids, "d", NULL);
  g_assert_null (q->feedback);
  assert_grade (q, "c", FALSE);
}

static void
test_gift_multiple (void)
{
  g_autoptr(SyQuiz) quiz = gift ("Which are fruit? {\n"
                                 "  ~%50%Apple\n"
                                 "  ~%50%Pear #Yes, a pear.\n"
                                 "  ~%-100%Carrot #No.\n"
                                 "  ~Stone\n"
                                 "}");
  SyQuestion *q = sy_quiz_get_question (quiz, 0);
  g_autofree char *correct = sy_question_correct_response (q);

  g_assert_cmpstr (q->id, ==, "q1");
  g_assert_cmpint (q->type, ==, SY_QUESTION_MULTIPLE);
  g_assert_cmpuint (q->options->len, ==, 4);
  assert_option (q, 0, "a", "Apple", NULL);
  assert_option (q, 1, "b", "Pear", NULL);
  assert_option (q, 2, "c", "Carrot", NULL);
  assert_option (q, 3, "d", "Stone", NULL);
  assert_strv (q->answer_ids, "a", "b", NULL);
  /* the first right answer with feedback */
  g_assert_cmpstr (str (q->feedback), ==, "Yes, a pear.");
  g_assert_cmpstr (correct, ==, "a[,]b");
  assert_grade (q, "b[,]a", TRUE);
  assert_grade (q, "a", FALSE);
  assert_grade (q, "a[,]b[,]c", FALSE);
  assert_grade (q, "a[,]b[,]d", FALSE);
}

static void
test_gift_true_false (void)
{
  g_autoptr(SyQuiz) quiz = gift ("::tf1:: The sun rises in the east. {T}\n"
                                 "\n"
                                 "::tf2:: The sun rises in the west. {FALSE#It is the east, in "
                                 "fact.#Right: it rises in the east.}\n"
                                 "\n"
                                 "Water is wet. {TRUE}\n"
                                 "\n"
                                 "Fire is cold. { f }\n");
  SyQuestion *q;

  g_assert_cmpuint (sy_quiz_get_n_questions (quiz), ==, 4);
  q = sy_quiz_get_question (quiz, 0);
  g_assert_cmpstr (q->id, ==, "tf1");
  g_assert_cmpint (q->type, ==, SY_QUESTION_TRUE_FALSE);
  g_assert_true (q->answer_bool);
  g_assert_cmpuint (q->options->len, ==, 0);
  g_assert_null (q->feedback);
  assert_grade (q, "true", TRUE);
  assert_grade (q, "false", FALSE);

  q = sy_quiz_get_question (quiz, 1);
  g_assert_cmpstr (q->id, ==, "tf2");
  g_assert_false (q->answer_bool);
  g_assert_cmpstr (str (q->prompt), ==, "The sun rises in the west.");
  /* GIFT gives the wrong answer's feedback first, then the right answer's */
  g_assert_cmpstr (str (q->feedback), ==, "Right: it rises in the east.");
  assert_grade (q, "false", TRUE);

  q = sy_quiz_get_question (quiz, 2);
  g_assert_cmpstr (q->id, ==, "q3");
  g_assert_true (q->answer_bool);
  q = sy_quiz_get_question (quiz, 3);
  g_assert_cmpstr (q->id, ==, "q4");
  g_assert_cmpint (q->type, ==, SY_QUESTION_TRUE_FALSE);
  g_assert_false (q->answer_bool);
  g_assert_cmpstr (sy_question_interaction_type (q), ==, "true-false");
  assert_correct_is_right (q);
}

static void
test_gift_short_answer (void)
{
  g_autoptr(SyQuiz) quiz = gift ("::sum:: Two plus two equals? {=four =4 #Yes. =Four #Same. "
                                 "=%50%for}\n\n"
                                 "Who wrote it? {=Lu Xun =鲁迅 #对。}");
  SyQuestion *q = sy_quiz_get_question (quiz, 0);
  g_autofree char *correct = sy_question_correct_response (q);

  g_assert_cmpint (q->type, ==, SY_QUESTION_SHORT_TEXT);
  g_assert_cmpuint (q->options->len, ==, 0);
  /* a duplicate after normalization is kept once; partial credit is not an answer */
  assert_strv (q->accepted, "four", "4", NULL);
  g_assert_cmpstr (str (q->feedback), ==, "Yes.");
  g_assert_cmpstr (correct, ==, "four");
  assert_grade (q, " FOUR ", TRUE);
  assert_grade (q, "４", TRUE);
  assert_grade (q, "for", FALSE);
  g_assert_cmpstr (sy_question_interaction_type (q), ==, "fill-in");

  q = sy_quiz_get_question (quiz, 1);
  assert_strv (q->accepted, "lu xun", "鲁迅", NULL);
  g_assert_cmpstr (str (q->feedback), ==, "对。");
  {
    g_autofree char *original = sy_question_correct_response (q);
    g_assert_cmpstr (original, ==, "Lu Xun");
  }
  assert_grade (q, "lu  xun", TRUE);
  assert_grade (q, "鲁迅　", TRUE);
}

static void
test_gift_numeric (void)
{
  g_autoptr(SyQuiz) quiz = gift ("::pi:: Pi to two decimals? {#3.14:0.005}\n"
                                 "\n"
                                 "::legs:: How many legs has a spider? {#8 #Eight.}\n"
                                 "\n"
                                 "::range:: A number from 1 to 5? {#1..5}\n"
                                 "\n"
                                 "::grant:: When was Ulysses S. Grant born? {#\n"
                                 "  =%50%1822:2 #Close.\n"
                                 "  =1822:0 #Correct!\n"
                                 "}\n"
                                 "\n"
                                 "::cold:: How cold? {#-2.5:0.5####Below zero.}\n");
  SyQuestion *q;

  g_assert_cmpuint (sy_quiz_get_n_questions (quiz), ==, 5);
  q = sy_quiz_find_question (quiz, "pi");
  g_assert_cmpint (q->type, ==, SY_QUESTION_NUMERIC);
  g_assert_cmpfloat (q->answer_number, ==, 3.14);
  g_assert_cmpfloat (q->tolerance, ==, 0.005);
  g_assert_null (q->unit);
  g_assert_null (q->feedback);
  {
    g_autofree char *correct = sy_question_correct_response (q);
    g_assert_cmpstr (correct, ==, "3.14");
  }

  q = sy_quiz_find_question (quiz, "legs");
  g_assert_cmpfloat (q->answer_number, ==, 8);
  g_assert_cmpfloat (q->tolerance, ==, 0);
  g_assert_cmpstr (str (q->feedback), ==, "Eight.");

  q = sy_quiz_find_question (quiz, "range");
  g_assert_cmpfloat (q->answer_number, ==, 3);
  g_assert_cmpfloat (q->tolerance, ==, 2);

  /* the first answer with full marks */
  q = sy_quiz_find_question (quiz, "grant");
  g_assert_cmpfloat (q->answer_number, ==, 1822);
  g_assert_cmpfloat (q->tolerance, ==, 0);
  g_assert_cmpstr (str (q->feedback), ==, "Correct!");
  assert_grade (q, "1823", FALSE);

  q = sy_quiz_find_question (quiz, "cold");
  g_assert_cmpfloat (q->answer_number, ==, -2.5);
  g_assert_cmpfloat (q->tolerance, ==, 0.5);
  g_assert_cmpstr (str (q->feedback), ==, "Below zero.");
  g_assert_cmpstr (sy_question_interaction_type (q), ==, "numeric");

  for (guint i = 0; i < sy_quiz_get_n_questions (quiz); i++)
    assert_correct_is_right (sy_quiz_get_question (quiz, i));
}

static void
test_gift_matching (void)
{
  g_autoptr(SyQuiz) quiz = gift ("::animals:: Which animal eats which food? {\n"
                                 "  =cat -> cat food\n"
                                 "  =dog -> dog food\n"
                                 "  =cow->grass\n"
                                 "}");
  SyQuestion *q = sy_quiz_get_question (quiz, 0);
  g_autofree char *correct = sy_question_correct_response (q);

  g_assert_cmpint (q->type, ==, SY_QUESTION_MATCHING);
  g_assert_cmpuint (q->options->len, ==, 3);
  assert_option (q, 0, "a", "cat", "cat food");
  assert_option (q, 1, "b", "dog", "dog food");
  assert_option (q, 2, "c", "cow", "grass");
  g_assert_null (q->feedback);
  g_assert_cmpstr (correct, ==, "a[.]a[,]b[.]b[,]c[.]c");
  assert_grade (q, correct, TRUE);
  assert_grade (q, "a[.]b[,]b[.]a[,]c[.]c", FALSE);
}

static void
test_gift_escapes (void)
{
  g_autoptr(SyQuiz) quiz = gift ("::Not an id\\: really:: Is 1 \\+ 1 \\= 2? Braces \\{x\\} and "
                                 "\\~ \\# \\\\ too.\\nNext line. {\n"
                                 "  =yes\\: a \\= b #fb \\# hash\n"
                                 "  ~no \\{really\\} \\~x\n"
                                 "}");
  SyQuestion *q = sy_quiz_get_question (quiz, 0);

  g_assert_cmpstr (q->id, ==, "q1");
  g_assert_cmpint (q->type, ==, SY_QUESTION_SINGLE);
  /* an unknown escape such as \+ stays as written */
  g_assert_cmpstr (str (q->prompt), ==,
                   "Is 1 \\+ 1 = 2? Braces {x} and ~ # \\ too.\nNext line.");
  assert_option (q, 0, "a", "yes: a = b", NULL);
  assert_option (q, 1, "b", "no {really} ~x", NULL);
  g_assert_cmpstr (str (q->feedback), ==, "fb # hash");

  /* a text that looks like JSON stays text */
  g_clear_pointer (&quiz, sy_quiz_unref);
  quiz = gift ("\\{\"en\": \"x\"\\} {T}");
  g_assert_cmpstr (str (sy_quiz_get_question (quiz, 0)->prompt), ==, "{\"en\": \"x\"}");
}

static void
test_gift_layout (void)
{
  g_autoptr(SyQuiz) quiz = gift ("\xef\xbb\xbf$CATEGORY: $course$/Hygiene\n"
                                 "\n"
                                 "// Question 1\n"
                                 "::wash:: [markdown] How long, **at least**?\n"
                                 "// a comment inside the question\n"
                                 "{#20\n"
                                 "// and one among the answers\n"
                                 "}\n"
                                 "\n"
                                 "\n"
                                 "[html]<p>Plain?</p>\r\n"
                                 "  {T}\r\n"
                                 "\r\n"
                                 "// only a comment\n"
                                 "// and another\n"
                                 "\n"
                                 "Two plus {=two =2} equals four.\n"
                                 "\n"
                                 "Who is buried in Grant's tomb {~Grant =no one}?\n");
  SyQuestion *q;

  g_assert_cmpuint (sy_quiz_get_n_questions (quiz), ==, 4);
  q = sy_quiz_get_question (quiz, 0);
  g_assert_cmpstr (q->id, ==, "wash");
  g_assert_cmpstr (str (q->prompt), ==, "How long, **at least**?");
  g_assert_cmpfloat (q->answer_number, ==, 20);

  q = sy_quiz_get_question (quiz, 1);
  g_assert_cmpstr (q->id, ==, "q2");
  g_assert_cmpstr (str (q->prompt), ==, "<p>Plain?</p>");
  g_assert_cmpint (q->type, ==, SY_QUESTION_TRUE_FALSE);

  /* “missing word” questions: a blank where the answers were */
  q = sy_quiz_get_question (quiz, 2);
  g_assert_cmpstr (q->id, ==, "q3");
  g_assert_cmpstr (str (q->prompt), ==, "Two plus _____ equals four.");
  g_assert_cmpint (q->type, ==, SY_QUESTION_SHORT_TEXT);
  q = sy_quiz_get_question (quiz, 3);
  g_assert_cmpstr (str (q->prompt), ==, "Who is buried in Grant's tomb _____?");
  g_assert_cmpint (q->type, ==, SY_QUESTION_SINGLE);
  assert_strv (q->answer_ids, "b", NULL);
}

static void
test_gift_general_feedback (void)
{
  g_autoptr(SyQuiz) quiz = gift ("What is 2+2? {=4 #Four. ~5 #No. ####Two and two make four.}\n"
                                 "\n"
                                 "Is it? {T####Yes it is.}");

  g_assert_cmpstr (str (sy_quiz_get_question (quiz, 0)->feedback), ==, "Two and two make four.");
  assert_strv (sy_quiz_get_question (quiz, 0)->answer_ids, "a", NULL);
  g_assert_cmpstr (str (sy_quiz_get_question (quiz, 1)->feedback), ==, "Yes it is.");
  g_assert_true (sy_quiz_get_question (quiz, 1)->answer_bool);
}

static void
test_gift_ids (void)
{
  g_autoptr(SyQuiz) quiz = gift ("::good-id:: A? {T}\n\n"
                                 "::Bad Title:: B? {T}\n\n"
                                 "::good-id:: C? {T}\n\n"
                                 "D? {T}\n\n"
                                 "::q2:: E? {T}\n");
  const char * const expected[] = { "good-id", "q2-2", "q3", "q4", "q2" };

  g_assert_cmpuint (sy_quiz_get_n_questions (quiz), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      SyQuestion *q = sy_quiz_get_question (quiz, i);

      g_assert_cmpstr (q->id, ==, expected[i]);
      g_assert_true (sy_id_is_valid (q->id));
      g_assert_true (sy_quiz_find_question (quiz, expected[i]) == q);
    }
}

static void
test_gift_many_options (void)
{
  g_autoptr(GString) s = g_string_new ("Which letter? {=A");
  g_autoptr(SyQuiz) quiz = NULL;
  SyQuestion *q;

  for (guint i = 1; i < 28; i++)
    g_string_append_printf (s, " ~%c%u", 'A' + i % 26, i);
  g_string_append (s, "}");
  quiz = gift (s->str);
  q = sy_quiz_get_question (quiz, 0);
  g_assert_cmpuint (q->options->len, ==, 28);
  g_assert_cmpstr (option_id (q, 0), ==, "a");
  g_assert_cmpstr (option_id (q, 25), ==, "z");
  g_assert_cmpstr (option_id (q, 26), ==, "aa");
  g_assert_cmpstr (option_id (q, 27), ==, "ab");
  for (guint i = 0; i < q->options->len; i++)
    g_assert_true (sy_id_is_valid (option_id (q, i)));
}

typedef struct
{
  const char *name;
  const char *text;
  guint       line;
  const char *part;
} GiftError;

static const GiftError gift_errors[] = {
  { "essay", "::a:: Tell us about it. {}", 1, "essay" },
  { "essay-with-feedback", "Q1? {T}\n\nTell us. {\n####Thanks.\n}", 3, "essay" },
  { "description", "::intro:: Some words before the questions.", 1, "no answers" },
  { "unclosed", "Q1? {T}\n\n\nUnclosed {=a ~b\n", 4, "not closed" },
  { "nested", "Q? {=a {b}}", 1, "cannot hold" },
  { "stray-close", "Q? } {T}", 1, "closes no answers" },
  { "two-blocks", "Q {T} and {F}", 1, "only one set" },
  { "no-blank-line", "Q1? {T}\nQ2? {F}", 2, "blank line" },
  { "two-right", "Q? {=a =b ~c}", 1, "one right answer" },
  { "none-right", "// c\n\n::a:: A? {T}\n\n// c2\n::b:: B?\n{~x ~y}\n", 7, "no answer is right" },
  { "one-option", "Q? {~%100%a}", 1, "at least two answers" },
  { "empty-answer", "Q? {\n=a\n~ #feedback only\n}", 3, "empty" },
  { "no-full-marks", "Q? {=%50%half}", 1, "full marks" },
  { "numeric-text", "Q?\n{#abc}", 2, "not a numeric answer" },
  { "numeric-range", "Q? {#5..1}", 1, "not a numeric answer" },
  { "numeric-tolerance", "Q? {#3:-1}", 1, "not a numeric answer" },
  { "numeric-comma", "Q? {#1,5}", 1, "not a numeric answer" },
  { "numeric-no-full-marks", "Q? {#=%50%3}", 1, "full marks" },
  { "weight", "Q? {\n~a\n~%abc%b\n}", 3, "weight" },
  { "weight-unclosed", "Q? {=a ~%50 b}", 1, "weight" },
  { "title", "::title Q? {T}", 1, "closing “::”" },
  { "matching-mixed", "Q? {=cat -> food\n~dog}", 2, "=left -> right" },
  { "matching-empty-side", "Q? {=cat -> food =dog -> }", 1, "both sides" },
  { "matching-one-pair", "Q? {=cat -> food}", 1, "two pairs" },
  { "not-an-answer", "Q? {x}", 1, "starts with “=”" },
  { "cloze", "Q? {1:MC:=a~b}", 1, "starts with “=”" },
  { "no-text", "::t:: {T}", 1, "no text" },
};

static void
test_gift_error (gconstpointer data)
{
  const GiftError *e = data;
  g_autofree char *prefix = g_strdup_printf ("bad.gift: line %u: ", e->line);

  assert_parse_error (e->text, "bad.gift", FALSE, prefix, e->part);
}

static void
test_gift_file_errors (void)
{
  assert_parse_error ("", "empty.gift", FALSE, "empty.gift: ", "no questions");
  assert_parse_error ("// only\n// comments\n\n$CATEGORY: x\n", "c.gift", FALSE, "c.gift: ",
                      "no questions");
  assert_parse_error ("Q? {T}", "s.gift", TRUE, "s.gift: ", "JSON");
  assert_parse_error ("Q\xe9? {T}", "latin1.gift", FALSE, "latin1.gift: ", "UTF-8 (at byte 1)");
}

/* ---- normalization ---- */

static void
test_normalize (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "  Ｓｏａｐ　", "soap" },
    { "肥皂 ", "肥皂" },
    { "ＡＢＣ１２３", "abc123" },
    { "\t Liquid \n\n  SOAP\u3000", "liquid soap" },
    { "a\u00a0b", "a b" },
    { "Straße", "strasse" },
    { "ﬁle", "file" },
    { "e\u0301", "\u00e9" },
    { "", "" },
    { "   ", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = sy_quiz_normalize_text (cases[i].in);
      g_assert_cmpstr (out, ==, cases[i].out);
    }

  {
    g_autofree char *out = sy_quiz_normalize_text ("ab\xff");
    g_assert_true (g_utf8_validate (out, -1, NULL));
    g_assert_true (g_str_has_prefix (out, "ab"));
  }
}

/* ---- malformed responses ---- */

static void
test_malformed_responses (void)
{
  g_autoptr(SyQuiz) quiz = parse (JSON_QUIZ, "all.json", FALSE);
  g_autoptr(SyQuiz) survey = parse (JSON_SURVEY, "s.json", TRUE);
  SyQuestion *q;

  q = sy_quiz_find_question (quiz, "one");
  assert_malformed (q, "");
  assert_malformed (q, "z");
  assert_malformed (q, "x[,]y");
  assert_malformed (q, "X");
  assert_malformed (q, " x");

  q = sy_quiz_find_question (quiz, "many");
  assert_malformed (q, "x[,]x");
  assert_malformed (q, "x[,]w");
  assert_malformed (q, "x,z");
  assert_malformed (q, "x[,]");

  q = sy_quiz_find_question (quiz, "tf");
  assert_malformed (q, "");
  assert_malformed (q, "TRUE");
  assert_malformed (q, "yes");
  assert_malformed (q, "1");

  q = sy_quiz_find_question (quiz, "num");
  assert_malformed (q, "");
  assert_malformed (q, "two");
  assert_malformed (q, "2,5");
  assert_malformed (q, "2.5m");
  assert_malformed (q, "0x10");
  assert_malformed (q, "nan");
  assert_malformed (q, "inf");
  assert_malformed (q, "1e999");
  assert_malformed (q, "1e");
  assert_malformed (q, ".");
  assert_malformed (q, "2[:]3");
  assert_malformed (q, "\xff");

  q = sy_quiz_find_question (quiz, "word");
  assert_malformed (q, "so\xff" "ap");

  q = sy_quiz_find_question (quiz, "order");
  assert_malformed (q, "i1[,]i2");
  assert_malformed (q, "i1[,]i2[,]i2");
  assert_malformed (q, "i1[,]i2[,]i3[,]i4");
  assert_malformed (q, "i1[,]i2[,]i3[,]i1");
  assert_malformed (q, "");

  q = sy_quiz_find_question (quiz, "match");
  assert_malformed (q, "p[.]p[,]q[.]q");
  assert_malformed (q, "p[.]p[,]p[.]q[,]r[.]r");
  assert_malformed (q, "p[.]p[,]q[.]q[,]r[.]s");
  assert_malformed (q, "p[.]p[,]q[.]q[,]s[.]r");
  assert_malformed (q, "p[.]p[,]q[.]q[,]r");
  assert_malformed (q, "p[.]p[,]q[.]q[,]r[.]r[.]r");
  assert_malformed (q, "p[.]p[,]q[.]q[,]r[.]r[,]p[.]p");
  assert_malformed (q, "");

  q = sy_quiz_find_question (survey, "happy");
  assert_malformed (q, "0");
  assert_malformed (q, "4");
  assert_malformed (q, "1[,]2");
  assert_malformed (q, "");

  q = sy_quiz_find_question (survey, "pick");
  assert_malformed (q, "a[,]b");
  assert_malformed (q, "");
  assert_malformed (q, "c");

  q = sy_quiz_find_question (survey, "picks");
  assert_malformed (q, "a[,]a");
  assert_malformed (q, "d");

  q = sy_quiz_find_question (survey, "hours");
  assert_malformed (q, "-1");
  assert_malformed (q, "24.5");
  assert_malformed (q, "");
  assert_malformed (q, "a few");

  q = sy_quiz_find_question (survey, "say");
  assert_malformed (q, "\xc0\x80");
}

/* ---- numeric tolerance ---- */

static void
test_numeric_tolerance (void)
{
  g_autoptr(SyQuiz) quiz = gift ("::half:: ? {#20:0.5}\n\n"
                                 "::float:: ? {#0.3:0.1}\n\n"
                                 "::range:: ? {#1..5}\n\n"
                                 "::exact:: ? {#8}\n\n"
                                 "::neg:: ? {#-2.5}\n");
  SyQuestion *q;

  q = sy_quiz_find_question (quiz, "half");
  assert_grade (q, "19.5", TRUE);
  assert_grade (q, "20.5", TRUE);
  assert_grade (q, "20.5000000001", TRUE);
  assert_grade (q, "20.51", FALSE);
  assert_grade (q, "19.49", FALSE);
  assert_grade (q, "20", TRUE);

  /* 0.4 - 0.3 is 0.10000000000000003 in binary: the edge must still count */
  q = sy_quiz_find_question (quiz, "float");
  g_assert_cmpfloat (fabs (0.4 - 0.3), >, 0.1);
  assert_grade (q, "0.4", TRUE);
  assert_grade (q, "0.2", TRUE);
  assert_grade (q, "0.41", FALSE);

  q = sy_quiz_find_question (quiz, "range");
  assert_grade (q, "1", TRUE);
  assert_grade (q, "5", TRUE);
  assert_grade (q, "0.999", FALSE);
  assert_grade (q, "5.001", FALSE);

  q = sy_quiz_find_question (quiz, "exact");
  assert_grade (q, "8", TRUE);
  assert_grade (q, "8.0", TRUE);
  assert_grade (q, "8.", TRUE);
  assert_grade (q, "+8", TRUE);
  assert_grade (q, "8e0", TRUE);
  assert_grade (q, " 8 ", TRUE);
  assert_grade (q, "８", TRUE);
  assert_grade (q, "　８．０　", TRUE);
  assert_grade (q, "7.9999", FALSE);
  assert_grade (q, "8.001", FALSE);
  assert_grade (q, "-8", FALSE);

  q = sy_quiz_find_question (quiz, "neg");
  assert_grade (q, "-2.5", TRUE);
  assert_grade (q, "\u22122.5", TRUE);
  assert_grade (q, "－２.５", TRUE);
  assert_grade (q, "2.5", FALSE);
  assert_correct_is_right (q);
}

/* ---- shuffling ---- */

static SyQuestion *
shuffle_question (SyQuiz     *quiz,
                  const char *id)
{
  SyQuestion *q = sy_quiz_find_question (quiz, id);

  g_assert_nonnull (q);
  return q;
}

#define SHUFFLE_QUIZ \
  "{\"questions\": [\n" \
  " {\"id\": \"two\", \"type\": \"ordering\", \"prompt\": \"P\", \"items\": [\n" \
  "   {\"id\": \"a\", \"text\": \"A\"}, {\"id\": \"b\", \"text\": \"B\"}]},\n" \
  " {\"id\": \"three\", \"type\": \"ordering\", \"prompt\": \"P\", \"items\": [\n" \
  "   {\"id\": \"a\", \"text\": \"A\"}, {\"id\": \"b\", \"text\": \"B\"},\n" \
  "   {\"id\": \"c\", \"text\": \"C\"}]},\n" \
  " {\"id\": \"five\", \"type\": \"ordering\", \"prompt\": \"P\", \"items\": [\n" \
  "   {\"id\": \"a\", \"text\": \"A\"}, {\"id\": \"b\", \"text\": \"B\"},\n" \
  "   {\"id\": \"c\", \"text\": \"C\"}, {\"id\": \"d\", \"text\": \"D\"},\n" \
  "   {\"id\": \"e\", \"text\": \"E\"}]},\n" \
  " {\"id\": \"pick\", \"type\": \"single\", \"prompt\": \"P\", \"answer\": \"a\",\n" \
  "  \"options\": [\n" \
  "   {\"id\": \"a\", \"text\": \"A\"}, {\"id\": \"b\", \"text\": \"B\"},\n" \
  "   {\"id\": \"c\", \"text\": \"C\"}, {\"id\": \"d\", \"text\": \"D\"},\n" \
  "   {\"id\": \"e\", \"text\": \"E\"}]},\n" \
  " {\"id\": \"pick2\", \"type\": \"single\", \"prompt\": \"P\", \"answer\": \"a\",\n" \
  "  \"options\": [\n" \
  "   {\"id\": \"a\", \"text\": \"A\"}, {\"id\": \"b\", \"text\": \"B\"},\n" \
  "   {\"id\": \"c\", \"text\": \"C\"}, {\"id\": \"d\", \"text\": \"D\"},\n" \
  "   {\"id\": \"e\", \"text\": \"E\"}]},\n" \
  " {\"id\": \"match\", \"type\": \"matching\", \"prompt\": \"P\", \"pairs\": [\n" \
  "   {\"id\": \"a\", \"left\": \"A\", \"right\": \"1\"},\n" \
  "   {\"id\": \"b\", \"left\": \"B\", \"right\": \"2\"},\n" \
  "   {\"id\": \"c\", \"left\": \"C\", \"right\": \"3\"},\n" \
  "   {\"id\": \"d\", \"left\": \"D\", \"right\": \"4\"}]},\n" \
  " {\"id\": \"tf\", \"type\": \"true-false\", \"prompt\": \"P\", \"answer\": false},\n" \
  " {\"id\": \"num\", \"type\": \"numeric\", \"prompt\": \"P\", \"answer\": 1}\n" \
  "]}\n"

static void
test_shuffle (void)
{
  g_autoptr(SyQuiz) quiz = parse (SHUFFLE_QUIZ, "shuffle.json", FALSE);
  g_autoptr(SyQuiz) survey = parse (JSON_SURVEY, "s.json", TRUE);
  g_autoptr(GHashTable) orders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char * const shuffled[] = { "two", "three", "five", "pick", "match" };
  guint first_counts[5] = { 0, };
  guint n_differ_by_id = 0;
  SyQuestion *pick = shuffle_question (quiz, "pick");
  SyQuestion *pick2 = shuffle_question (quiz, "pick2");

  for (guint32 seed = 0; seed < 1000; seed++)
    {
      for (guint k = 0; k < G_N_ELEMENTS (shuffled); k++)
        {
          SyQuestion *q = shuffle_question (quiz, shuffled[k]);
          g_autoptr(GArray) a = sy_question_shuffle (q, seed);
          g_autoptr(GArray) b = sy_question_shuffle (q, seed);
          g_autofree char *sa = order_string (a);
          g_autofree char *sb = order_string (b);

          g_assert_true (is_permutation (a, q->options->len));
          g_assert_cmpstr (sa, ==, sb);
          /* an ordering question is never shown solved */
          if (q->type == SY_QUESTION_ORDERING)
            g_assert_false (is_identity (a));
          if (q == pick)
            {
              first_counts[g_array_index (a, guint, 0)]++;
              g_hash_table_add (orders, g_steal_pointer (&sa));
            }
        }

      {
        g_autoptr(GArray) a = sy_question_shuffle (pick, seed);
        g_autoptr(GArray) b = sy_question_shuffle (pick2, seed);
        g_autofree char *sa = order_string (a);
        g_autofree char *sb = order_string (b);

        if (!g_str_equal (sa, sb))
          n_differ_by_id++;
      }
    }

  /* different seeds give different orders: most of the 120, each option first about as
   * often as the others, and questions of one attempt differ */
  g_assert_cmpuint (g_hash_table_size (orders), >=, 100);
  for (guint i = 0; i < 5; i++)
    {
      g_assert_cmpuint (first_counts[i], >, 120);
      g_assert_cmpuint (first_counts[i], <, 280);
    }
  g_assert_cmpuint (n_differ_by_id, >, 900);

  /* with two items the only order that is not solved */
  for (guint32 seed = 0; seed < 50; seed++)
    {
      g_autoptr(GArray) a = sy_question_shuffle (shuffle_question (quiz, "two"), seed);
      g_autofree char *s = order_string (a);
      g_assert_cmpstr (s, ==, "1,0");
    }

  /* kept in order, or nothing to order */
  {
    g_autoptr(GArray) tf = sy_question_shuffle (shuffle_question (quiz, "tf"), 7);
    g_autoptr(GArray) num = sy_question_shuffle (shuffle_question (quiz, "num"), 7);
    g_autoptr(GArray) likert = sy_question_shuffle (shuffle_question (survey, "happy"), 7);
    g_autoptr(GArray) choice = NULL;
    gboolean choice_moved = FALSE;

    g_assert_cmpuint (tf->len, ==, 0);
    g_assert_cmpuint (num->len, ==, 0);
    g_assert_cmpuint (likert->len, ==, 3);
    g_assert_true (is_identity (likert));

    /* survey choices are shuffled */
    for (guint32 seed = 0; seed < 20 && !choice_moved; seed++)
      {
        g_clear_pointer (&choice, g_array_unref);
        choice = sy_question_shuffle (shuffle_question (survey, "picks"), seed);
        g_assert_true (is_permutation (choice, 3));
        choice_moved = !is_identity (choice);
      }
    g_assert_true (choice_moved);
  }
}

/* The order for a seed is part of the record of an attempt: it must be the same on every
 * PC and in every later version. These values come from a separate implementation of
 * MT19937 (init_genrand seeding), FNV-1a and the same Fisher–Yates; if this fails, the
 * shuffle changed and old attempts would be shown differently. */
static void
test_shuffle_stable (void)
{
  g_autoptr(SyQuiz) quiz = parse (SHUFFLE_QUIZ, "shuffle.json", FALSE);
  static const struct { const char *id; guint32 seed; const char *order; } golden[] = {
    { "pick", 0, "3,4,0,1,2" },
    { "pick", 1, "4,1,2,3,0" },
    { "pick", 0xdeadbeef, "4,1,3,0,2" },
    { "five", 42, "2,3,4,0,1" },
    { "match", 2026, "1,2,0,3" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (golden); i++)
    {
      g_autoptr(GArray) order = sy_question_shuffle (shuffle_question (quiz, golden[i].id),
                                                     golden[i].seed);
      g_autofree char *s = order_string (order);

      g_assert_cmpstr (s, ==, golden[i].order);
    }
}

/* ---- files and references ---- */

static void
test_load_files (void)
{
  g_autofree char *dir = test_make_temp_dir ("quiz");
  g_autofree char *gift_path = g_build_filename (dir, "quizzes", "q.GIFT", NULL);
  g_autofree char *json_path = g_build_filename (dir, "surveys", "s.json", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.gift", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SyQuiz) quiz = NULL;
  g_autoptr(SyQuiz) survey = NULL;
  SyQuiz *ref;

  test_write_file (dir, "quizzes/q.GIFT", "::a:: A? {T}\n\n::b:: B? {=x ~y}\n");
  test_write_file (dir, "surveys/s.json", JSON_SURVEY);

  quiz = sy_quiz_load (gift_path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sy_quiz_get_n_questions (quiz), ==, 2);
  g_assert_false (sy_quiz_is_survey (quiz));

  survey = sy_quiz_load (json_path, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (sy_quiz_is_survey (survey));
  g_assert_cmpuint (sy_quiz_get_n_questions (survey), ==, 6);

  g_assert_null (sy_quiz_load (missing, FALSE, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  test_write_file (dir, "quizzes/bad.gift", "Fine? {T}\n\nBroken {=a\n");
  {
    g_autofree char *bad = g_build_filename (dir, "quizzes", "bad.gift", NULL);
    g_autofree char *prefix = g_strdup_printf ("%s: line 3: ", bad);

    g_assert_null (sy_quiz_load (bad, FALSE, &error));
    g_assert_error (error, SY_QUIZ_ERROR, SY_QUIZ_ERROR_PARSE);
    g_assert_true (g_str_has_prefix (error->message, prefix));
  }

  /* a reference keeps the questions alive */
  ref = sy_quiz_ref (quiz);
  g_assert_true (ref == quiz);
  g_clear_pointer (&quiz, sy_quiz_unref);
  g_assert_cmpstr (sy_quiz_get_question (ref, 1)->id, ==, "b");
  sy_quiz_unref (ref);

  sy_rm_rf (dir, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/quiz/samples/grade", test_samples);
  g_test_add_func ("/quiz/samples/fields", test_samples_fields);
  g_test_add_func ("/quiz/json/quiz", test_json_quiz);
  g_test_add_func ("/quiz/json/survey", test_json_survey);
  g_test_add_func ("/quiz/json/errors", test_json_errors);
  g_test_add_func ("/quiz/gift/single", test_gift_single);
  g_test_add_func ("/quiz/gift/multiple", test_gift_multiple);
  g_test_add_func ("/quiz/gift/true-false", test_gift_true_false);
  g_test_add_func ("/quiz/gift/short-answer", test_gift_short_answer);
  g_test_add_func ("/quiz/gift/numeric", test_gift_numeric);
  g_test_add_func ("/quiz/gift/matching", test_gift_matching);
  g_test_add_func ("/quiz/gift/escapes", test_gift_escapes);
  g_test_add_func ("/quiz/gift/layout", test_gift_layout);
  g_test_add_func ("/quiz/gift/general-feedback", test_gift_general_feedback);
  g_test_add_func ("/quiz/gift/ids", test_gift_ids);
  g_test_add_func ("/quiz/gift/many-options", test_gift_many_options);
  g_test_add_func ("/quiz/gift/file-errors", test_gift_file_errors);
  for (guint i = 0; i < G_N_ELEMENTS (gift_errors); i++)
    {
      g_autofree char *path = g_strdup_printf ("/quiz/gift/error/%s", gift_errors[i].name);
      g_test_add_data_func (path, &gift_errors[i], test_gift_error);
    }
  g_test_add_func ("/quiz/normalize", test_normalize);
  g_test_add_func ("/quiz/responses/malformed", test_malformed_responses);
  g_test_add_func ("/quiz/numeric/tolerance", test_numeric_tolerance);
  g_test_add_func ("/quiz/shuffle/deterministic", test_shuffle);
  g_test_add_func ("/quiz/shuffle/stable", test_shuffle_stable);
  g_test_add_func ("/quiz/load-files", test_load_files);

  return g_test_run ();
}
