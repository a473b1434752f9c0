/* test-quiz-view.c — taking quizzes and surveys in SyQuizView, under Xvfb
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test makes a data folder with the sample courses and a learner, puts a quiz view in
 * a window and drives it through its widgets as a learner would: toggles, entries, drop-
 * downs and buttons. What it checks in the end is what the store recorded.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sy-application.h"
#include "sy-question-input.h"
#include "sy-quiz-view.h"
#include "sy-quiz.h"
#include "sy-statement.h"
#include "sy-store.h"
#include "sy-util.h"
#include "ui-test-util.h"

#define HYGIENE "vd-hand-hygiene-cold-chain"
#define RETAIL  "retail-bookkeeping-pricing"

static SyApplication *app;

typedef struct
{
  char       *data_dir;
  SyStore    *store;
  SyLearner  *learner;
  SyCourse   *course;
  SyItem     *item;
  SyQuiz     *quiz;
  GtkWidget  *window;
  SyQuizView *view;
  guint       n_finished;
} Fixture;

/* ---- waiting ---- */

static GtkWidget *
named (Fixture    *f,
       const char *name)
{
  GtkWidget *widget = ui_test_find_named (GTK_WIDGET (f->view), name);

  g_assert_nonnull (widget);
  return widget;
}

static const char *
label_text (Fixture    *f,
            const char *name)
{
  return gtk_label_get_label (GTK_LABEL (named (f, name)));
}

static const char *
page (Fixture *f)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (named (f, "quiz-stack")));
}

typedef struct
{
  Fixture    *f;
  const char *page;
} PageWait;

static gboolean
page_shown (gpointer data)
{
  PageWait *w = data;
  GtkStack *stack = GTK_STACK (named (w->f, "quiz-stack"));

  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), w->page) == 0 &&
         !gtk_stack_get_transition_running (stack);
}

static void
wait_page (Fixture    *f,
           const char *name)
{
  PageWait w = { f, name };

  if (!ui_test_wait_for (page_shown, &w))
    g_error ("the view shows “%s”, not “%s”", page (f), name);
}

static gboolean
label_is (gpointer data)
{
  GtkLabel *label = data;

  return g_strcmp0 (gtk_label_get_label (label),
                    g_object_get_data (G_OBJECT (label), "wanted")) == 0;
}

static void
wait_label (Fixture    *f,
            const char *name,
            const char *text)
{
  GtkWidget *label = named (f, name);

  g_object_set_data_full (G_OBJECT (label), "wanted", g_strdup (text), g_free);
  if (!ui_test_wait_for (label_is, label))
    g_error ("%s says “%s”, not “%s”", name, gtk_label_get_label (GTK_LABEL (label)), text);
}

static SyQuestionInput *
current_input (Fixture *f)
{
  GtkWidget *bin = named (f, "input-bin");
  GtkWidget *input = adw_bin_get_child (ADW_BIN (bin));

  g_assert_true (SY_IS_QUESTION_INPUT (input));
  return SY_QUESTION_INPUT (input);
}

static GtkWidget *
primary_button (Fixture *f)
{
  return named (f, "primary-button");
}

static const char *
primary_label (Fixture *f)
{
  return gtk_button_get_label (GTK_BUTTON (primary_button (f)));
}

/* gtk_widget_activate() on a button emits "clicked" from the main loop */
static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_get_sensitive (button));
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_activate (button));
}

/* ---- statements ---- */

static void
json_free (gpointer json)
{
  json_object_put (json);
}

static GPtrArray *
export_statements (Fixture *f)
{
  g_autoptr(GOutputStream) output = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  GPtrArray *lines = g_ptr_array_new_with_free_func (json_free);
  g_auto(GStrv) split = NULL;
  g_autofree char *text = NULL;

  sy_store_export_statements (f->store, NULL, output, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (output, NULL, &error);
  g_assert_no_error (error);
  text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (output)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (output)));
  split = g_strsplit (text, "\n", -1);
  for (guint i = 0; split[i]; i++)
    if (split[i][0] != '\0')
      {
        json_object *json = json_tokener_parse (split[i]);
        g_assert_nonnull (json);
        g_ptr_array_add (lines, json);
      }
  return lines;
}

static const char *
json_path (json_object *obj,
           ...)
{
  va_list args;
  const char *key;

  va_start (args, obj);
  while (obj != NULL && (key = va_arg (args, const char *)) != NULL)
    if (!json_object_object_get_ex (obj, key, &obj))
      obj = NULL;
  va_end (args);
  return obj && json_object_is_type (obj, json_type_string) ? json_object_get_string (obj) : NULL;
}

static json_object *
json_get (json_object *obj,
          const char  *key)
{
  json_object *val = NULL;

  return obj && json_object_object_get_ex (obj, key, &val) ? val : NULL;
}

/* The statements with @verb (answered, passed…) about @item_id, optionally one question. */
static GPtrArray *
statements_with (GPtrArray  *all,
                 const char *verb,
                 const char *item_id,
                 const char *question_id)
{
  GPtrArray *found = g_ptr_array_new ();
  g_autofree char *verb_suffix = g_strconcat ("/", verb, NULL);

  for (guint i = 0; i < all->len; i++)
    {
      json_object *st = g_ptr_array_index (all, i);
      g_autoptr(SyStatementInfo) info = sy_statement_info_new (st, NULL);

      g_assert_nonnull (info);
      if (!g_str_has_suffix (info->verb_id, verb_suffix) ||
          g_strcmp0 (info->item_id, item_id) != 0 ||
          (question_id != NULL && g_strcmp0 (info->question_id, question_id) != 0))
        continue;
      g_ptr_array_add (found, st);
    }
  return found;
}

static guint
count_statements (Fixture    *f,
                  const char *verb,
                  const char *item_id)
{
  g_autoptr(GPtrArray) all = export_statements (f);
  g_autoptr(GPtrArray) found = statements_with (all, verb, item_id, NULL);

  return found->len;
}

static SyStatus
item_status (Fixture    *f,
             const char *course_id,
             const char *item_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SyCourse) course = sy_store_get_course (f->store, course_id,
                                                    sy_learner_get_uuid (f->learner), NULL, &error);
  SyItem *item;

  g_assert_no_error (error);
  item = sy_course_find_item (course, item_id);
  g_assert_nonnull (item);
  return item->status;
}

/* ---- fixture ---- */

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static const char * const dirs[] = { "village-doctor-hygiene", "retail-bookkeeping", NULL };
  g_autoptr(GError) error = NULL;

  f->data_dir = ui_test_make_data_dir ("shuyuan-quiz-XXXXXX");
  f->store = ui_test_open_store (f->data_dir);
  ui_test_import_samples (f->store, dirs);

  f->learner = sy_store_add_learner (f->store, "王医生", SY_ROLE_LEARNER, NULL, &error);
  g_assert_no_error (error);
}

/* Destroys the window as a power cut or a closed window would, and checks that the view
 * goes with it: nothing it started keeps it alive once its work is done. */
static void
close_view (Fixture *f)
{
  if (f->window == NULL)
    return;
  ui_test_destroy_and_wait_freed (GTK_WINDOW (g_steal_pointer (&f->window)),
                                  g_steal_pointer (&f->view));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  close_view (f);
  g_clear_pointer (&f->quiz, sy_quiz_unref);
  g_clear_object (&f->course);
  g_clear_object (&f->learner);
  g_clear_object (&f->store);
  ui_test_remove_data_dir (f->data_dir);
}

static void
finished_cb (SyQuizView *view,
             Fixture    *f)
{
  f->n_finished++;
}

static gboolean
view_loaded (gpointer data)
{
  Fixture *f = data;
  const char *name = page (f);

  return g_strcmp0 (name, "loading") != 0;
}

static gboolean
window_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* A window like the app's item page: a header bar above the view, 1024×600. */
static void
open_view (Fixture    *f,
           const char *course_id,
           const char *item_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  GtkWidget *box;
  GtkWidget *header;
  GtkWidget *view;

  close_view (f);
  g_clear_pointer (&f->quiz, sy_quiz_unref);
  g_clear_object (&f->course);

  f->course = sy_store_get_course (f->store, course_id, sy_learner_get_uuid (f->learner),
                                   NULL, &error);
  g_assert_no_error (error);
  f->item = sy_course_find_item (f->course, item_id);
  g_assert_nonnull (f->item);
  path = g_build_filename (sy_course_get_content_dir (f->course),
                           sy_text_get (f->item->file, NULL), NULL);
  f->quiz = sy_quiz_load (path, f->item->type == SY_ITEM_SURVEY, &error);
  g_assert_no_error (error);

  view = sy_quiz_view_new (f->store, f->learner, f->course, f->item);
  g_assert_true (SY_IS_QUIZ_VIEW (view));
  f->view = SY_QUIZ_VIEW (view);
  g_signal_connect (view, "finished", G_CALLBACK (finished_cb), f);
  gtk_widget_set_vexpand (view, TRUE);

  header = adw_header_bar_new ();
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header),
                                   adw_window_title_new (sy_text_get (f->item->title, NULL), NULL));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), view);

  f->window = adw_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1024, 600);
  adw_window_set_content (ADW_WINDOW (f->window), box);
  gtk_window_present (GTK_WINDOW (f->window));

  g_assert_true (ui_test_wait_for (window_mapped, f->window));
  g_assert_true (ui_test_wait_for (view_loaded, f));
}

/* ---- answering through the widgets ---- */

static const char *
option_text (SyQuestion *q,
             guint       i)
{
  return sy_text_get (((SyOption *) g_ptr_array_index (q->options, i))->text, NULL);
}

static const char *
option_right (SyQuestion *q,
              guint       i)
{
  return sy_text_get (((SyOption *) g_ptr_array_index (q->options, i))->right, NULL);
}

/* The text an option button shows (not its number key). */
static const char *
button_text (GtkWidget *button)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  ui_test_collect (button, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    if (!gtk_widget_has_css_class (labels->pdata[i], "quiz-key"))
      return gtk_label_get_label (labels->pdata[i]);
  return NULL;
}

static GPtrArray *
option_buttons (SyQuestionInput *input)
{
  GPtrArray *buttons = g_ptr_array_new ();
  g_autoptr(GPtrArray) all = g_ptr_array_new ();

  ui_test_collect (GTK_WIDGET (input), GTK_TYPE_WIDGET, all);
  for (guint i = 0; i < all->len; i++)
    if (gtk_widget_has_css_class (all->pdata[i], "quiz-option"))
      g_ptr_array_add (buttons, all->pdata[i]);
  return buttons;
}

static void
set_button (GtkWidget *button,
            gboolean   active)
{
  if (GTK_IS_CHECK_BUTTON (button))
    gtk_check_button_set_active (GTK_CHECK_BUTTON (button), active);
  else
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), active);
}

static gboolean
is_answer (SyQuestion *q,
           guint       i)
{
  SyOption *option = g_ptr_array_index (q->options, i);

  return q->answer_ids && g_strv_contains ((const char * const *) q->answer_ids, option->id);
}

static void
choose_options (SyQuestionInput *input,
                gboolean         right)
{
  SyQuestion *q = sy_question_input_get_question (input);
  g_autoptr(GPtrArray) buttons = option_buttons (input);
  gboolean chose_wrong = FALSE;

  g_assert_cmpuint (buttons->len, ==, q->options->len);
  for (guint b = 0; b < buttons->len; b++)
    for (guint i = 0; i < q->options->len; i++)
      {
        gboolean active;

        if (g_strcmp0 (button_text (buttons->pdata[b]), option_text (q, i)) != 0)
          continue;
        if (right)
          active = is_answer (q, i);
        else
          active = !is_answer (q, i) && !chose_wrong;
        chose_wrong = chose_wrong || (active && !right);
        if (active)
          set_button (buttons->pdata[b], TRUE);
      }
}

static GPtrArray *
ordering_texts (SyQuestionInput *input)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  GPtrArray *texts = g_ptr_array_new ();

  ui_test_collect (GTK_WIDGET (input), GTK_TYPE_LIST_BOX_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      g_autoptr(GPtrArray) labels = g_ptr_array_new ();

      ui_test_collect (rows->pdata[i], GTK_TYPE_LABEL, labels);
      for (guint j = 0; j < labels->len; j++)
        if (!gtk_widget_has_css_class (labels->pdata[j], "quiz-position"))
          {
            g_ptr_array_add (texts, labels->pdata[j]);
            break;
          }
    }
  return texts;
}

static GtkWidget *
move_up_button (SyQuestionInput *input,
                guint            position)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

  ui_test_collect (GTK_WIDGET (input), GTK_TYPE_LIST_BOX_ROW, rows);
  ui_test_collect (rows->pdata[position], GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_button_get_icon_name (buttons->pdata[i]), "go-up-symbolic") == 0)
      return buttons->pdata[i];
  g_assert_not_reached ();
}

/* Sorts the steps with the rows' Up buttons, as a learner with a mouse would. */
static void
put_in_order (SyQuestionInput *input)
{
  SyQuestion *q = sy_question_input_get_question (input);

  for (guint target = 0; target < q->options->len; target++)
    {
      g_autoptr(GPtrArray) labels = ordering_texts (input);
      guint at = G_MAXUINT;

      for (guint i = 0; i < labels->len; i++)
        if (g_strcmp0 (gtk_label_get_label (labels->pdata[i]), option_text (q, target)) == 0)
          at = i;
      g_assert_cmpuint (at, !=, G_MAXUINT);

      for (; at > target; at--)
        {
          GtkLabel *above = labels->pdata[at - 1];

          g_object_set_data (G_OBJECT (above), "wanted", (gpointer) option_text (q, target));
          click (move_up_button (input, at));
          g_assert_true (ui_test_wait_for (label_is, above));
        }
    }
}

static void
match_pairs (SyQuestionInput *input,
             gboolean         right)
{
  SyQuestion *q = sy_question_input_get_question (input);
  g_autoptr(GPtrArray) dropdowns = g_ptr_array_new ();

  ui_test_collect (GTK_WIDGET (input), GTK_TYPE_DROP_DOWN, dropdowns);
  g_assert_cmpuint (dropdowns->len, ==, q->options->len);
  for (guint i = 0; i < dropdowns->len; i++)
    {
      GListModel *model = gtk_drop_down_get_model (dropdowns->pdata[i]);
      /* wrong: every left side gets the right side of the next pair */
      const char *wanted = option_right (q, right ? i : (i + 1) % q->options->len);

      for (guint j = 0; j < g_list_model_get_n_items (model); j++)
        {
          g_autoptr(GtkStringObject) s = g_list_model_get_item (model, j);

          if (g_strcmp0 (gtk_string_object_get_string (s), wanted) == 0)
            gtk_drop_down_set_selected (dropdowns->pdata[i], j);
        }
      g_assert_cmpuint (gtk_drop_down_get_selected (dropdowns->pdata[i]), >, 0);
    }
}

static GtkWidget *
find_entry (SyQuestionInput *input)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();

  ui_test_collect (GTK_WIDGET (input), GTK_TYPE_ENTRY, entries);
  g_assert_cmpuint (entries->len, ==, 1);
  return entries->pdata[0];
}

/* "2" typed with a Chinese input method: full-width digits */
static char *
full_width (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_autoptr(GString) s = g_string_new (NULL);

  g_ascii_formatd (buf, sizeof buf, "%g", value);
  for (const char *p = buf; *p; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_unichar (s, 0xFF10 + (*p - '0'));
      else if (*p == '.')
        g_string_append_unichar (s, 0xFF0E);
      else
        g_string_append_c (s, *p);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* Answers the question on screen, right or wrong, through its controls. */
static void
answer (Fixture  *f,
        gboolean  right)
{
  SyQuestionInput *input = current_input (f);
  SyQuestion *q = sy_question_input_get_question (input);

  g_assert_false (sy_question_input_get_locked (input));
  switch (q->type)
    {
    case SY_QUESTION_SINGLE:
    case SY_QUESTION_MULTIPLE:
      choose_options (input, right);
      break;

    case SY_QUESTION_TRUE_FALSE:
      {
        g_autoptr(GPtrArray) buttons = option_buttons (input);

        g_assert_cmpuint (buttons->len, ==, 2);
        g_assert_cmpstr (button_text (buttons->pdata[0]), ==, _("True"));
        g_assert_cmpstr (button_text (buttons->pdata[1]), ==, _("False"));
        set_button (buttons->pdata[(q->answer_bool == right) ? 0 : 1], TRUE);
      }
      break;

    case SY_QUESTION_NUMERIC:
      {
        g_autofree char *text = full_width (right ? q->answer_number : q->answer_number + q->tolerance + 1);
        gtk_editable_set_text (GTK_EDITABLE (find_entry (input)), text);
      }
      break;

    case SY_QUESTION_SHORT_TEXT:
      gtk_editable_set_text (GTK_EDITABLE (find_entry (input)), right ? q->accepted[0] : "xyz");
      break;

    case SY_QUESTION_ORDERING:
      if (right)
        put_in_order (input);
      break;

    case SY_QUESTION_MATCHING:
      match_pairs (input, right);
      break;

    case SY_QUESTION_LIKERT:
    case SY_QUESTION_CHOICE:
    case SY_QUESTION_NUMBER:
    case SY_QUESTION_TEXT:
    default:
      g_assert_not_reached ();
    }
}

typedef struct
{
  Fixture         *f;
  SyQuestionInput *input;
  const char      *page;
  gboolean         was_locked;
} Moved;

/* The view moved on from the question: a new one, the feedback, an error or the result */
static gboolean
moved_on (gpointer data)
{
  Moved *m = data;
  Fixture *f = m->f;

  if (g_strcmp0 (page (f), m->page) != 0)
    return TRUE;
  if (g_strcmp0 (page (f), "question") != 0)
    return FALSE;
  return adw_bin_get_child (ADW_BIN (named (f, "input-bin"))) != GTK_WIDGET (m->input) ||
         (!m->was_locked && sy_question_input_get_locked (m->input)) ||
         gtk_widget_get_visible (named (f, "error-label"));
}

/* Waits for the view to move on from @input (kept alive meanwhile: a new question
 * replaces it). */
static void
wait_moved_on (Fixture         *f,
               SyQuestionInput *input,
               const char      *from_page)
{
  Moved m = { f, g_object_ref (input), from_page, sy_question_input_get_locked (input) };
  gboolean moved = ui_test_wait_for (moved_on, &m);

  g_object_unref (m.input);
  g_assert_true (moved);
}

static void
press_primary (Fixture *f)
{
  SyQuestionInput *input = current_input (f);

  click (primary_button (f));
  wait_moved_on (f, input, "question");
}

static void
answer_all (Fixture  *f,
            gboolean  right)
{
  guint n = sy_quiz_get_n_questions (f->quiz);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *progress = g_strdup_printf ("Question %u of %u", i + 1, n);

      wait_page (f, "question");
      g_assert_cmpstr (label_text (f, "progress-label"), ==, progress);
      g_assert_cmpstr (primary_label (f), ==, "Submit");
      answer (f, right);
      g_assert_true (gtk_widget_get_sensitive (primary_button (f)));
      press_primary (f);
      g_assert_false (gtk_widget_get_visible (named (f, "error-label")));
    }
}

static gboolean
history_shown (gpointer data)
{
  return gtk_widget_is_visible (named (data, "best-label"));
}

/* The start page shows before the earlier attempts are read from the statement log. */
static void
wait_history (Fixture *f)
{
  wait_page (f, "start");
  g_assert_true (ui_test_wait_for (history_shown, f));
}

static void
start (Fixture *f)
{
  wait_page (f, "start");
  click (named (f, "start-button"));
  wait_page (f, "question");
}

/* Lets CSS transitions (200 ms in libadwaita) and revealers finish first. */
static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  ui_test_spin (300);
  ui_test_save_screenshot (widget, name);
}

/* ---- tests ---- */

static gboolean
finished_once (gpointer data)
{
  return ((Fixture *) data)->n_finished == 1;
}

static void
test_pass (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) answered = NULL;
  g_autoptr(GPtrArray) passed = NULL;
  json_object *result;
  double seconds;

  open_view (f, HYGIENE, "cold-chain-quiz");
  wait_history (f);
  g_assert_cmpuint (sy_quiz_get_n_questions (f->quiz), ==, 8);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (named (f, "start-button"))), ==, "Start");
  g_assert_cmpstr (label_text (f, "questions-label"), ==, "8");
  g_assert_cmpstr (label_text (f, "attempts-label"), ==, "0 of 3 used");
  g_assert_cmpstr (label_text (f, "best-label"), ==, "None yet");
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_ancestor (named (f, "history-list"),
                                                                   ADW_TYPE_PREFERENCES_GROUP)));

  start (f);
  answer_all (f, TRUE);

  wait_page (f, "result");
  g_assert_cmpstr (label_text (f, "score-label"), ==, "100%");
  g_assert_cmpstr (label_text (f, "verdict-label"), ==, "You passed");
  g_assert_nonnull (strstr (label_text (f, "result-detail"), "You got 8 of 8 questions right."));
  g_assert_cmpint (item_status (f, HYGIENE, "cold-chain-quiz"), ==, SY_STATUS_PASSED);

  /* feedback at the end: every question listed as right */
  {
    g_autoptr(GPtrArray) rows = g_ptr_array_new ();

    ui_test_collect (named (f, "summary-list"), ADW_TYPE_ACTION_ROW, rows);
    g_assert_cmpuint (rows->len, ==, 8);
    for (guint i = 0; i < rows->len; i++)
      g_assert_true (GPOINTER_TO_INT (g_object_get_data (rows->pdata[i], "sy-correct")));
  }

  all = export_statements (f);
  answered = statements_with (all, "answered", "cold-chain-quiz", NULL);
  g_assert_cmpuint (answered->len, ==, 8);
  for (guint i = 0; i < answered->len; i++)
    g_assert_true (json_object_get_boolean (json_get (json_get (answered->pdata[i], "result"), "success")));
  /* the full-width "２" was recorded as a plain number */
  {
    g_autoptr(GPtrArray) numeric = statements_with (all, "answered", "cold-chain-quiz", "reads-per-day");
    g_assert_cmpuint (numeric->len, ==, 1);
    g_assert_cmpstr (json_path (numeric->pdata[0], "result", "response", NULL), ==, "2");
  }
  passed = statements_with (all, "passed", "cold-chain-quiz", NULL);
  g_assert_cmpuint (passed->len, ==, 1);
  result = json_get (passed->pdata[0], "result");
  g_assert_cmpfloat (json_object_get_double (json_get (json_get (result, "score"), "scaled")), ==, 1.0);
  g_assert_cmpfloat (json_object_get_double (json_get (json_get (result, "score"), "raw")), ==, 8);
  g_assert_cmpfloat (json_object_get_double (json_get (json_get (result, "score"), "max")), ==, 8);
  g_assert_true (json_object_get_boolean (json_get (result, "success")));
  seconds = sy_duration_parse (json_path (passed->pdata[0], "result", "duration", NULL));
  g_assert_cmpfloat (seconds, >, 0);
  g_assert_cmpfloat (seconds, <, 600);
  /* the answers and the result belong to one registration */
  g_assert_cmpstr (json_path (passed->pdata[0], "context", "registration", NULL), ==,
                   json_path (answered->pdata[0], "context", "registration", NULL));

  /* Back to Course ends the view's work */
  g_assert_cmpuint (f->n_finished, ==, 0);
  click (named (f, "done-button"));
  g_assert_true (ui_test_wait_for (finished_once, f));
  g_assert_cmpuint (f->n_finished, ==, 1);

  /* reopened: the attempt shows as the best score, with one of three attempts used */
  open_view (f, HYGIENE, "cold-chain-quiz");
  wait_history (f);
  g_assert_cmpstr (label_text (f, "attempts-label"), ==, "1 of 3 used");
  g_assert_cmpstr (label_text (f, "best-label"), ==, "100%");
}

static void
test_fail (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GPtrArray) cards = g_ptr_array_new ();
  GtkWidget *review_box;
  guint n_cards = 0;

  open_view (f, HYGIENE, "cold-chain-quiz");
  start (f);
  answer_all (f, FALSE);

  wait_page (f, "result");
  g_assert_cmpstr (label_text (f, "score-label"), ==, "0%");
  g_assert_cmpstr (label_text (f, "verdict-label"), ==, "Not passed yet — you can try again");
  g_assert_nonnull (strstr (label_text (f, "result-detail"), "You have 2 more attempts."));
  g_assert_cmpint (item_status (f, HYGIENE, "cold-chain-quiz"), ==, SY_STATUS_IN_PROGRESS);
  g_assert_cmpuint (count_statements (f, "failed", "cold-chain-quiz"), ==, 1);
  g_assert_cmpuint (count_statements (f, "passed", "cold-chain-quiz"), ==, 0);
  save_screenshot (f->window, "quiz-result-failed.png");

  /* a new view: one attempt used, and it can be reviewed */
  open_view (f, HYGIENE, "cold-chain-quiz");
  wait_history (f);
  g_assert_cmpstr (label_text (f, "attempts-label"), ==, "1 of 3 used");
  g_assert_cmpstr (label_text (f, "best-label"), ==, "0%");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (named (f, "start-button"))), ==, "Start Again");
  save_screenshot (f->window, "quiz-start-history.png");

  ui_test_collect (named (f, "history-list"), ADW_TYPE_ACTION_ROW, rows);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (adw_preferences_row_get_title (rows->pdata[0]), ==, "Attempt 1");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (rows->pdata[0]), "0% · not passed"));
  g_signal_emit_by_name (rows->pdata[0], "activate");
  wait_page (f, "review");

  review_box = named (f, "review-box");
  ui_test_collect (review_box, GTK_TYPE_BOX, cards);
  for (guint i = 0; i < cards->len; i++)
    if (gtk_widget_get_parent (cards->pdata[i]) == review_box)
      {
        n_cards++;
        g_assert_false (GPOINTER_TO_INT (g_object_get_data (cards->pdata[i], "sy-correct")));
        g_assert_nonnull (g_object_get_data (cards->pdata[i], "sy-question-id"));
      }
  g_assert_cmpuint (n_cards, ==, 8);

  click (named (f, "review-back-button"));
  wait_page (f, "start");

  /* two more failures use up the attempts */
  for (guint attempt = 2; attempt <= 3; attempt++)
    {
      click (named (f, "start-button"));
      wait_page (f, "question");
      answer_all (f, FALSE);
      wait_page (f, "result");
      if (attempt == 2)
        {
          g_assert_cmpstr (label_text (f, "verdict-label"), ==, "Not passed yet — you can try again");
          g_assert_nonnull (strstr (label_text (f, "result-detail"), "You have 1 more attempt."));
        }
      else
        {
          /* said plainly, without "try again" */
          g_assert_cmpstr (label_text (f, "verdict-label"), ==, "Not passed");
          g_assert_nonnull (strstr (label_text (f, "result-detail"), "You have no attempts left."));
        }
      open_view (f, HYGIENE, "cold-chain-quiz");
      wait_history (f);
    }
  g_assert_cmpstr (label_text (f, "attempts-label"), ==, "3 of 3 used");
  g_assert_false (gtk_widget_get_visible (named (f, "start-button")));
  g_assert_true (gtk_widget_get_visible (named (f, "start-message")));
  g_assert_nonnull (strstr (label_text (f, "start-message"), "No attempts are left."));
  save_screenshot (f->window, "quiz-no-attempts.png");
  g_assert_cmpint (item_status (f, HYGIENE, "cold-chain-quiz"), ==, SY_STATUS_IN_PROGRESS);
}

static void
test_immediate_feedback (Fixture       *f,
                         gconstpointer  data)
{
  SyQuestionInput *first;

  open_view (f, HYGIENE, "hand-hygiene-quiz");
  g_assert_false (f->item->feedback_at_end);
  start (f);

  /* wrong: the feedback says so, with the right answer; the answer is locked */
  first = current_input (f);
  answer (f, FALSE);
  press_primary (f);
  g_assert_true (current_input (f) == first);
  g_assert_true (sy_question_input_get_locked (first));
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (named (f, "feedback-revealer"))));
  g_assert_cmpstr (label_text (f, "feedback-title"), ==, "Not right");
  g_assert_true (gtk_widget_get_visible (named (f, "correct-label")));
  {
    SyQuestion *q = sy_question_input_get_question (first);
    g_autofree char *right = sy_question_describe_response (q, q->answer_ids[0]);

    g_assert_cmpstr (label_text (f, "correct-label"), ==, right);
  }
  g_assert_true (gtk_widget_get_visible (named (f, "feedback-label")));
  g_assert_cmpstr (primary_label (f), ==, "Next");

  /* Next shows the second question; a right answer there says so */
  press_primary (f);
  g_assert_cmpstr (label_text (f, "progress-label"), ==, "Question 2 of 6");
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (named (f, "feedback-revealer"))));
  answer (f, TRUE);
  press_primary (f);
  g_assert_cmpstr (label_text (f, "feedback-title"), ==, "Right");
  g_assert_false (gtk_widget_get_visible (named (f, "correct-label")));
  g_assert_cmpuint (count_statements (f, "answered", "hand-hygiene-quiz"), ==, 2);
}

static void
test_survey (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) all = NULL;
  struct { const char *question; const char *response; } expected[] = {
    { "life-satisfaction", "4" },
    { "job-satisfaction", "1" },
    { "income-satisfaction", "5" },
    { "income-sources", NULL },
    { "income-trend", NULL },
    { "monthly-income", "3000" },
    { "hours-per-day", "8" },
    { "what-would-help", "多进一些好卖的货" },
  };
  g_autofree char *sources = NULL;
  g_autofree char *trend = NULL;

  open_view (f, RETAIL, "income-life-survey");
  wait_page (f, "start");
  g_assert_false (gtk_widget_is_visible (named (f, "attempts-label")));
  g_assert_false (gtk_widget_is_visible (named (f, "best-label")));
  start (f);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      SyQuestionInput *input;
      SyQuestion *q;

      wait_page (f, "question");
      input = current_input (f);
      q = sy_question_input_get_question (input);
      g_assert_cmpstr (q->id, ==, expected[i].question);
      g_assert_false (gtk_widget_get_sensitive (primary_button (f)));

      switch (q->type)
        {
        case SY_QUESTION_LIKERT:
          {
            g_autoptr(GPtrArray) buttons = option_buttons (input);
            guint n = atoi (expected[i].response);

            /* lowest to highest, as the scale is written */
            g_assert_cmpuint (buttons->len, ==, 5);
            g_assert_cmpstr (button_text (buttons->pdata[0]), ==, option_text (q, 0));
            g_assert_cmpstr (button_text (buttons->pdata[4]), ==, option_text (q, 4));
            set_button (buttons->pdata[n - 1], TRUE);
          }
          break;

        case SY_QUESTION_CHOICE:
          {
            g_autoptr(GPtrArray) buttons = option_buttons (input);

            /* the first two on screen; with radios the second wins */
            set_button (buttons->pdata[0], TRUE);
            set_button (buttons->pdata[1], TRUE);
            if (q->multiple_choice)
              sources = sy_question_input_get_response (input);
            else
              trend = sy_question_input_get_response (input);
            g_assert_nonnull (q->multiple_choice ? sources : trend);
            g_assert_true (q->multiple_choice ? strstr (sources, "[,]") != NULL
                                              : strstr (trend, "[,]") == NULL);
          }
          break;

        case SY_QUESTION_NUMBER:
          {
            GtkWidget *entry = find_entry (input);

            if (g_str_equal (q->id, "monthly-income"))
              {
                /* malformed and out of range: an inline error, nothing recorded */
                guint before = count_statements (f, "answered", "income-life-survey");

                gtk_editable_set_text (GTK_EDITABLE (entry), "abc");
                press_primary (f);
                g_assert_true (gtk_widget_get_visible (named (f, "error-label")));
                g_assert_cmpstr (label_text (f, "error-label"), ==, "Type a number, such as 2 or 1.5.");
                gtk_editable_set_text (GTK_EDITABLE (entry), "-5");
                g_assert_false (gtk_widget_get_visible (named (f, "error-label")));
                press_primary (f);
                g_assert_cmpstr (label_text (f, "error-label"), ==, "Type a number of at least 0.");
                save_screenshot (f->window, "survey-number-error.png");
                g_assert_cmpuint (count_statements (f, "answered", "income-life-survey"), ==, before);
                g_assert_true (current_input (f) == input);
                gtk_editable_set_text (GTK_EDITABLE (entry), "3000");
              }
            else
              {
                /* full-width, and Enter in the entry (its "activate") submits */
                gtk_editable_set_text (GTK_EDITABLE (entry), "８");
                g_signal_emit_by_name (entry, "activate");
                wait_moved_on (f, input, "question");
                continue;
              }
          }
          break;

        case SY_QUESTION_TEXT:
          {
            g_autoptr(GPtrArray) views = g_ptr_array_new ();

            ui_test_collect (GTK_WIDGET (input), GTK_TYPE_TEXT_VIEW, views);
            g_assert_cmpuint (views->len, ==, 1);
            gtk_text_buffer_set_text (gtk_text_view_get_buffer (views->pdata[0]), "   ", -1);
            g_assert_false (gtk_widget_get_sensitive (primary_button (f)));
            gtk_text_buffer_set_text (gtk_text_view_get_buffer (views->pdata[0]),
                                      "  多进一些好卖的货\n", -1);
            g_assert_cmpstr (primary_label (f), ==, "Submit");
            save_screenshot (f->window, "survey-text.png");
          }
          break;

        default:
          g_assert_not_reached ();
        }

      press_primary (f);
    }

  wait_page (f, "result");
  g_assert_cmpstr (label_text (f, "verdict-label"), ==, "Thank you");
  g_assert_false (gtk_widget_get_visible (named (f, "score-label")));
  g_assert_cmpint (item_status (f, RETAIL, "income-life-survey"), ==, SY_STATUS_COMPLETED);

  all = export_statements (f);
  expected[3].response = sources;
  expected[4].response = trend;
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GPtrArray) answered = statements_with (all, "answered", "income-life-survey",
                                                       expected[i].question);

      g_assert_cmpuint (answered->len, ==, 1);
      g_assert_cmpstr (json_path (answered->pdata[0], "result", "response", NULL), ==,
                       expected[i].response);
      /* recorded, not judged */
      g_assert_null (json_get (json_get (answered->pdata[0], "result"), "success"));
    }
  {
    g_autoptr(GPtrArray) completed = statements_with (all, "completed", "income-life-survey", NULL);
    g_assert_cmpuint (completed->len, ==, 1);
  }
}

static void
test_resume (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *second = NULL;
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_free);
  SyQuestionInput *input;

  open_view (f, HYGIENE, "cold-chain-quiz");
  start (f);
  answer (f, TRUE);
  press_primary (f);
  {
    g_autoptr(GPtrArray) buttons = option_buttons (current_input (f));

    for (guint i = 0; i < buttons->len; i++)
      g_ptr_array_add (order, g_strdup (button_text (buttons->pdata[i])));
  }
  answer (f, FALSE);
  press_primary (f);
  g_assert_cmpstr (label_text (f, "progress-label"), ==, "Question 3 of 8");
  g_assert_cmpuint (count_statements (f, "answered", "cold-chain-quiz"), ==, 2);

  /* the PC stops: the view goes without a word */
  close_view (f);

  open_view (f, HYGIENE, "cold-chain-quiz");
  wait_page (f, "start");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (named (f, "start-button"))), ==, "Continue");
  g_assert_nonnull (strstr (label_text (f, "start-message"), "You have answered 2 of 8 questions."));
  g_assert_cmpstr (label_text (f, "attempts-label"), ==, "1 of 3 used");

  click (named (f, "start-button"));
  wait_page (f, "question");
  g_assert_cmpstr (label_text (f, "progress-label"), ==, "Question 3 of 8");
  g_assert_false (sy_question_input_get_locked (current_input (f)));

  /* the earlier answers are there, locked */
  click (named (f, "previous-button"));
  wait_label (f, "progress-label", "Question 2 of 8");
  input = current_input (f);
  g_assert_true (sy_question_input_get_locked (input));
  /* shuffled as before: the attempt's seed came back from the store */
  {
    g_autoptr(GPtrArray) buttons = option_buttons (input);

    g_assert_cmpuint (buttons->len, ==, order->len);
    for (guint i = 0; i < buttons->len; i++)
      g_assert_cmpstr (button_text (buttons->pdata[i]), ==, order->pdata[i]);
  }
  second = sy_question_input_get_response (input);
  g_assert_nonnull (second);
  {
    g_autoptr(GPtrArray) all = export_statements (f);
    g_autoptr(GPtrArray) answered = statements_with (all, "answered", "cold-chain-quiz", "good-practice");

    g_assert_cmpuint (answered->len, ==, 1);
    g_assert_cmpstr (json_path (answered->pdata[0], "result", "response", NULL), ==, second);
  }
  g_assert_cmpstr (primary_label (f), ==, "Next");
  save_screenshot (f->window, "quiz-earlier-answer.png");
  press_primary (f);
  g_assert_cmpstr (label_text (f, "progress-label"), ==, "Question 3 of 8");

  /* finish: the two earlier answers count (one right, one wrong) */
  for (guint i = 2; i < 8; i++)
    {
      answer (f, TRUE);
      press_primary (f);
    }
  wait_page (f, "result");
  g_assert_cmpstr (label_text (f, "score-label"), ==, "88%");
  g_assert_cmpint (item_status (f, HYGIENE, "cold-chain-quiz"), ==, SY_STATUS_PASSED);
  g_assert_cmpuint (count_statements (f, "answered", "cold-chain-quiz"), ==, 8);
}

/* The class shortcut for @keyval, run as the key would run it. */
static gboolean
press_key (GtkWidget *widget,
           guint      keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GtkShortcutTrigger) wanted = gtk_keyval_trigger_new (keyval, 0);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), wanted))
            return gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, widget,
                                                 gtk_shortcut_get_arguments (shortcut));
        }
    }
  return FALSE;
}

/* A key as @widget's own key controller sees it. Xvfb cannot be sent keys from here, so
 * this is as close to a key press as the test gets. */
static gboolean
press_key_with (GtkWidget       *widget,
                guint            keyval,
                GdkModifierType  state)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        {
          g_signal_emit_by_name (controller, "key-pressed", keyval, 0, state, &handled);
          return handled;
        }
    }
  g_assert_not_reached ();
}

static gboolean
press_enter (GtkWidget *widget)
{
  return press_key_with (widget, GDK_KEY_Return, 0);
}

static void
test_keys_and_empty (Fixture       *f,
                     gconstpointer  data)
{
  SyQuestionInput *input;
  SyQuestion *q;
  g_autoptr(GPtrArray) buttons = NULL;
  g_autofree char *response = NULL;

  open_view (f, HYGIENE, "cold-chain-quiz");
  start (f);

  /* nothing chosen: Submit is insensitive and Enter does nothing */
  input = current_input (f);
  q = sy_question_input_get_question (input);
  g_assert_cmpint (q->type, ==, SY_QUESTION_SINGLE);
  g_assert_false (gtk_widget_get_sensitive (primary_button (f)));
  g_assert_false (sy_question_input_get_has_response (input));

  /* 2 chooses the second option on screen, then 4, and 9 (there is none) changes nothing */
  buttons = option_buttons (input);
  g_assert_cmpuint (buttons->len, ==, 4);
  g_assert_true (press_key (GTK_WIDGET (f->view), GDK_KEY_2));
  g_assert_true (gtk_check_button_get_active (buttons->pdata[1]));
  g_assert_true (gtk_widget_get_sensitive (primary_button (f)));
  g_assert_true (press_key (GTK_WIDGET (f->view), GDK_KEY_KP_4));
  g_assert_false (gtk_check_button_get_active (buttons->pdata[1]));
  g_assert_true (gtk_check_button_get_active (buttons->pdata[3]));
  press_key (GTK_WIDGET (f->view), GDK_KEY_9);
  g_assert_true (gtk_check_button_get_active (buttons->pdata[3]));
  g_assert_true (gtk_widget_has_focus (buttons->pdata[3]));
  response = sy_question_input_get_response (input);
  g_assert_nonnull (response);

  /* Enter on the chosen option submits */
  g_object_ref (input);
  g_assert_true (press_enter (GTK_WIDGET (f->view)));
  wait_moved_on (f, input, "question");
  g_object_unref (input);
  g_assert_cmpstr (label_text (f, "progress-label"), ==, "Question 2 of 8");
  {
    g_autoptr(GPtrArray) all = export_statements (f);
    g_autoptr(GPtrArray) answered = statements_with (all, "answered", "cold-chain-quiz", "range");

    g_assert_cmpuint (answered->len, ==, 1);
    g_assert_cmpstr (json_path (answered->pdata[0], "result", "response", NULL), ==, response);
  }

  /* several answers: number keys turn options on and off */
  input = current_input (f);
  g_clear_pointer (&buttons, g_ptr_array_unref);
  buttons = option_buttons (input);
  g_assert_true (press_key (GTK_WIDGET (f->view), GDK_KEY_1));
  g_assert_true (press_key (GTK_WIDGET (f->view), GDK_KEY_3));
  g_assert_true (gtk_check_button_get_active (buttons->pdata[0]));
  g_assert_true (gtk_check_button_get_active (buttons->pdata[2]));
  g_assert_true (press_key (GTK_WIDGET (f->view), GDK_KEY_1));
  g_assert_false (gtk_check_button_get_active (buttons->pdata[0]));
  g_assert_true (gtk_widget_get_sensitive (primary_button (f)));
  press_key (GTK_WIDGET (f->view), GDK_KEY_3);
  g_assert_false (gtk_widget_get_sensitive (primary_button (f)));
  answer (f, TRUE);
  press_primary (f);

  /* true or false: 1 is True */
  input = current_input (f);
  g_assert_cmpint (sy_question_input_get_question (input)->type, ==, SY_QUESTION_TRUE_FALSE);
  g_assert_false (gtk_widget_get_sensitive (primary_button (f)));
  g_assert_true (press_key (GTK_WIDGET (f->view), GDK_KEY_1));
  g_clear_pointer (&response, g_free);
  response = sy_question_input_get_response (input);
  g_assert_cmpstr (response, ==, "true");
  press_primary (f);

  /* numbers: empty or blank is no answer; digits type into the entry, not choose */
  input = current_input (f);
  g_assert_cmpint (sy_question_input_get_question (input)->type, ==, SY_QUESTION_NUMERIC);
  g_assert_false (gtk_widget_get_sensitive (primary_button (f)));
  gtk_editable_set_text (GTK_EDITABLE (find_entry (input)), "  ");
  g_assert_false (gtk_widget_get_sensitive (primary_button (f)));
  g_assert_false (sy_question_input_choose (input, 1));
  gtk_editable_set_text (GTK_EDITABLE (find_entry (input)), "1。5");
  g_clear_pointer (&response, g_free);
  response = sy_question_input_get_response (input);
  g_assert_cmpstr (response, ==, "1.5");
  gtk_editable_set_text (GTK_EDITABLE (find_entry (input)), "");
  g_assert_false (gtk_widget_get_sensitive (primary_button (f)));
  /* Enter in the empty entry submits nothing */
  g_signal_emit_by_name (find_entry (input), "activate");
  ui_test_spin (400);
  g_assert_cmpstr (label_text (f, "progress-label"), ==, "Question 4 of 8");
  g_assert_true (current_input (f) == input);
  g_assert_false (sy_question_input_get_locked (input));
  g_assert_cmpuint (count_statements (f, "answered", "cold-chain-quiz"), ==, 3);

  /* short text: blanks are no answer either */
  answer (f, TRUE);
  press_primary (f);
  input = current_input (f);
  g_assert_cmpint (sy_question_input_get_question (input)->type, ==, SY_QUESTION_SHORT_TEXT);
  gtk_editable_set_text (GTK_EDITABLE (find_entry (input)), " \t ");
  g_assert_false (gtk_widget_get_sensitive (primary_button (f)));

  /* ordering: Alt+↓ moves a step down and the focus goes with it */
  answer (f, TRUE);
  press_primary (f);
  input = current_input (f);
  g_assert_cmpint (sy_question_input_get_question (input)->type, ==, SY_QUESTION_ORDERING);
  g_assert_true (gtk_widget_get_sensitive (primary_button (f)));
  {
    g_autoptr(GPtrArray) before = ordering_texts (input);
    g_autoptr(GPtrArray) rows = g_ptr_array_new ();
    g_autofree char *first = g_strdup (gtk_label_get_label (before->pdata[0]));
    g_autofree char *second_text = g_strdup (gtk_label_get_label (before->pdata[1]));
    GtkWidget *list;

    ui_test_collect (GTK_WIDGET (input), GTK_TYPE_LIST_BOX_ROW, rows);
    list = gtk_widget_get_parent (rows->pdata[0]);
    gtk_widget_grab_focus (rows->pdata[0]);
    g_assert_true (gtk_widget_has_focus (rows->pdata[0]));
    g_assert_true (press_key_with (list, GDK_KEY_Down, GDK_ALT_MASK));
    g_assert_cmpstr (gtk_label_get_label (before->pdata[0]), ==, second_text);
    g_assert_cmpstr (gtk_label_get_label (before->pdata[1]), ==, first);
    g_assert_true (gtk_widget_has_focus (rows->pdata[1]));
    /* without Alt, arrows only move the focus */
    g_assert_false (press_key_with (list, GDK_KEY_Up, 0));
    g_assert_true (press_key_with (list, GDK_KEY_Up, GDK_ALT_MASK));
    g_assert_cmpstr (gtk_label_get_label (before->pdata[0]), ==, first);
    /* the first step cannot go higher */
    g_assert_false (sy_question_input_move (input, 0, -1));
  }

  /* matching: one side left unmatched is no answer */
  answer (f, TRUE);
  press_primary (f);
  input = current_input (f);
  g_assert_cmpint (sy_question_input_get_question (input)->type, ==, SY_QUESTION_MATCHING);
  match_pairs (input, TRUE);
  g_assert_true (gtk_widget_get_sensitive (primary_button (f)));
  {
    g_autoptr(GPtrArray) dropdowns = g_ptr_array_new ();

    ui_test_collect (GTK_WIDGET (input), GTK_TYPE_DROP_DOWN, dropdowns);
    gtk_drop_down_set_selected (dropdowns->pdata[2], 0);
    g_assert_false (gtk_widget_get_sensitive (primary_button (f)));
  }
}

static void
test_chinese_screenshots (Fixture       *f,
                          gconstpointer  data)
{
  GtkWidget *window;

  g_setenv ("LANGUAGE", "zh_CN", TRUE);

  open_view (f, HYGIENE, "cold-chain-quiz");
  window = f->window;
  wait_history (f);
  save_screenshot (window, "quiz-start-zh_CN.png");
  start (f);

  /* the question text is the course's Chinese */
  g_assert_cmpstr (label_text (f, "prompt-label"), ==, "大多数疫苗应该保存在什么温度？");
  answer (f, TRUE);
  save_screenshot (window, "quiz-question-zh_CN.png");
  press_primary (f);
  answer (f, TRUE);
  save_screenshot (window, "quiz-multiple-zh_CN.png");
  press_primary (f);
  answer (f, FALSE);
  save_screenshot (window, "quiz-true-false-zh_CN.png");
  press_primary (f);
  answer (f, TRUE);
  save_screenshot (window, "quiz-numeric-zh_CN.png");
  press_primary (f);
  answer (f, TRUE);
  press_primary (f);
  save_screenshot (window, "quiz-ordering-zh_CN.png");
  answer (f, TRUE);
  press_primary (f);
  answer (f, TRUE);
  save_screenshot (window, "quiz-matching-zh_CN.png");
  press_primary (f);
  answer (f, TRUE);
  press_primary (f);

  wait_page (f, "result");
  g_assert_cmpstr (label_text (f, "score-label"), ==, "88%");
  ui_test_spin (200);
  save_screenshot (window, "quiz-result-zh_CN.png");
  click (named (f, "review-button"));
  wait_page (f, "review");
  save_screenshot (window, "quiz-review-zh_CN.png");

  /* feedback after each answer */
  open_view (f, HYGIENE, "hand-hygiene-quiz");
  start (f);
  answer (f, FALSE);
  press_primary (f);
  ui_test_spin (300);
  save_screenshot (f->window, "quiz-feedback-zh_CN.png");

  /* a survey */
  open_view (f, RETAIL, "income-life-survey");
  start (f);
  press_key (GTK_WIDGET (f->view), GDK_KEY_4);
  save_screenshot (f->window, "survey-likert-zh_CN.png");

  g_unsetenv ("LANGUAGE");
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  ui_test_init (&argc, &argv, SY_TEST_SCHEMA_DIR);
  /* The application loads the app's style sheet, as it does for real windows */
  app = ui_test_register_app ();

  g_test_add ("/quiz-view/pass", Fixture, NULL, fixture_set_up, test_pass, fixture_tear_down);
  g_test_add ("/quiz-view/fail", Fixture, NULL, fixture_set_up, test_fail, fixture_tear_down);
  g_test_add ("/quiz-view/immediate-feedback", Fixture, NULL, fixture_set_up,
              test_immediate_feedback, fixture_tear_down);
  g_test_add ("/quiz-view/survey", Fixture, NULL, fixture_set_up, test_survey, fixture_tear_down);
  g_test_add ("/quiz-view/resume", Fixture, NULL, fixture_set_up, test_resume, fixture_tear_down);
  g_test_add ("/quiz-view/keys-and-empty", Fixture, NULL, fixture_set_up, test_keys_and_empty,
              fixture_tear_down);
  g_test_add ("/quiz-view/zh-CN-screenshots", Fixture, NULL, fixture_set_up,
              test_chinese_screenshots, fixture_tear_down);

  ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}
