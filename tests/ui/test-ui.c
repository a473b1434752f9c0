/* test-ui.c — the desktop app's window, driven in-process under Xvfb
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run by run-under-xvfb.sh inside dbus-run-session. Each test makes its own data folder,
 * fills it through the core API before the window exists, and waits for the window by
 * iterating the main loop until a condition holds, with a deadline. Fixed pauses only let
 * an animation (a toast, a dialog) finish before a screenshot.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>

#include "sy-application.h"
#include "sy-course-card.h"
#include "sy-course-page.h"
#include "sy-store.h"
#include "sy-util.h"
#include "sy-window-private.h"
#include "ui-test-util.h"

static SyApplication *app;

static const char * const sample_dirs[] = {
  "coding-for-kids",
  "retail-bookkeeping",
  "village-doctor-hygiene",
  NULL
};

/* ---- helpers ---- */

/* A data folder with one learner (no PIN), whom open_window() signs in: the library is
 * a learner's, after "Who is learning?". */
static char *
make_data_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = ui_test_make_data_dir ("shuyuan-ui-XXXXXX");
  g_autoptr(SyStore) store = ui_test_open_store (dir);
  g_autoptr(SyLearner) learner = NULL;

  learner = sy_store_add_learner (store, "Test Learner", SY_ROLE_LEARNER, NULL, &error);
  g_assert_no_error (error);

  return dir;
}

/* Synchronously and before any window exists: the store is closed again on return. */
static void
import_samples (const char *data_dir)
{
  g_autoptr(SyStore) store = ui_test_open_store (data_dir);

  ui_test_import_samples (store, sample_dirs);
}

static gboolean
signed_in (gpointer data)
{
  return _sy_window_get_learner (data) != NULL && ui_test_window_settled (data);
}

static SyWindow *
open_window (const char *data_dir)
{
  SyWindow *window = sy_application_open_data_dir (app, data_dir);

  g_assert_true (SY_IS_WINDOW (window));
  ui_test_wait_settled (window);

  /* The first screen is "Who is learning?": choose the learner, as a user would. */
  if (g_strcmp0 (_sy_window_get_view (window), "learners") == 0)
    {
      SyLearnerChooser *chooser = _sy_window_get_chooser (window);
      GtkWidget *add_tile = _sy_learner_chooser_get_tile (chooser, NULL);
      GtkWidget *first_tile = gtk_widget_get_first_child (gtk_widget_get_parent (add_tile));

      /* make_data_dir()'s learner comes first, "Add Learner" after. */
      g_assert_cmpuint (_sy_learner_chooser_get_n_learners (chooser), ==, 1);
      g_assert_true (first_tile != add_tile);
      g_assert_true (gtk_widget_activate (first_tile));
      g_assert_true (ui_test_wait_for (signed_in, window));
    }

  /* Past the first frame, the X server has configured the window: a later resize sticks. */
  ui_test_wait_frames (GTK_WIDGET (window));
  return window;
}

static void
close_window (SyWindow *window,
              char     *data_dir)
{
  ui_test_wait_settled (window);
  gtk_window_destroy (GTK_WINDOW (window));
  /* Let cancelled cover loads and toasts unwind before the folder goes. */
  ui_test_spin (100);

  ui_test_remove_data_dir (data_dir);
}

static int
compare_utf8 (gconstpointer a,
              gconstpointer b)
{
  return g_utf8_collate (*(const char **) a, *(const char **) b);
}

static gboolean
course_open (gpointer data)
{
  return ui_test_view_is (data, "course") && ui_test_window_settled (data);
}

static gboolean
library_shown (gpointer data)
{
  return ui_test_view_is (data, "courses") && ui_test_window_settled (data);
}

static void
activate_card (SyWindow     *window,
               SyCourseCard *card)
{
  /* What Enter does on a focused card: the grid's item holding it is what takes focus,
   * and its key binding emits "activate". */
  GtkWidget *item = gtk_widget_get_parent (GTK_WIDGET (card));

  gtk_widget_grab_focus (item);
  g_assert_true (gtk_widget_has_focus (item));
  g_assert_true (gtk_widget_activate (item));
  g_assert_true (ui_test_wait_for (course_open, window));
}

static void
go_back (SyWindow *window)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_true (ui_test_wait_for (library_shown, window));
}

/* Whether the focus is on a card's item in the library grid. */
static gboolean
focus_is_on_card (SyWindow *window)
{
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (window));

  return focus != NULL && SY_IS_COURSE_CARD (gtk_widget_get_first_child (focus));
}

static SyCourseCard *
find_card (SyWindow   *window,
           const char *course_id)
{
  for (guint i = 0; i < _sy_window_get_n_cards (window); i++)
    {
      SyCourseCard *card = _sy_window_get_card (window, i);

      if (g_strcmp0 (sy_course_get_id (sy_course_card_get_course (card)), course_id) == 0)
        return card;
    }
  return NULL;
}

/* ---- tests ---- */

static void
test_library_cards (void)
{
  const char *expected[] = {
    "Coding for kids: sequences and loops",
    "Retail: daily bookkeeping and pricing",
    "Village doctor: hand hygiene and the vaccine cold chain",
  };
  char *data_dir = make_data_dir ();
  SyWindow *window;
  SyCourseCard *card;

  import_samples (data_dir);
  window = open_window (data_dir);

  g_assert_cmpstr (_sy_window_get_view (window), ==, "courses");
  g_assert_cmpuint (_sy_window_get_n_cards (window), ==, 3);

  /* Sorted by title in the user's language. */
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      card = _sy_window_get_card (window, i);
      g_assert_nonnull (card);
      g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (card)));
      g_assert_true (ui_test_has_label (GTK_WIDGET (card), expected[i]));
    }

  card = find_card (window, "vd-hand-hygiene-cold-chain");
  g_assert_nonnull (card);
  g_assert_true (ui_test_has_label (GTK_WIDGET (card), "Village doctors"));
  g_assert_true (ui_test_has_label (GTK_WIDGET (card), "3 class hours · 1 credit"));
  g_assert_true (ui_test_has_label (GTK_WIDGET (card), "0 of 7 done"));

  card = find_card (window, "cfk-sequences-loops");
  g_assert_true (ui_test_has_label (GTK_WIDGET (card), "2 class hours · 0.5 credits"));

  /* Tab from the header bar reaches the first card. */
  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  for (guint i = 0; i < 10 && !focus_is_on_card (window); i++)
    gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD);
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (window)) ==
                 gtk_widget_get_parent (GTK_WIDGET (_sy_window_get_card (window, 0))));

  ui_test_spin (200);
  ui_test_save_screenshot (GTK_WIDGET (window), "library.png");

  close_window (window, data_dir);
}

static void
test_course_page (void)
{
  char *data_dir = make_data_dir ();
  SyWindow *window;
  SyCourseCard *card;
  GtkWidget *page;
  g_autoptr(GPtrArray) groups = g_ptr_array_new ();
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  AdwActionRow *row;

  import_samples (data_dir);
  window = open_window (data_dir);

  card = find_card (window, "vd-hand-hygiene-cold-chain");
  g_assert_nonnull (card);
  activate_card (window, card);

  page = GTK_WIDGET (_sy_window_get_course_page (window));
  g_assert_true (gtk_widget_get_mapped (page));
  g_assert_false (sy_course_page_get_loading (SY_COURSE_PAGE (page)));
  g_assert_true (ui_test_has_label (page, "Village doctor: hand hygiene and the vaccine cold chain"));
  g_assert_true (ui_test_has_label (page, "3 class hours · 1 credit"));

  ui_test_collect (page, ADW_TYPE_PREFERENCES_GROUP, groups);
  g_assert_cmpuint (groups->len, ==, 2);
  g_assert_cmpstr (adw_preferences_group_get_title (groups->pdata[0]), ==, "Hand hygiene");
  g_assert_cmpstr (adw_preferences_group_get_title (groups->pdata[1]), ==, "The vaccine cold chain");

  /* Lessons and quizzes open from their rows. */
  ui_test_collect (page, ADW_TYPE_ACTION_ROW, rows);
  g_assert_cmpuint (rows->len, ==, 7);
  for (guint i = 0; i < rows->len; i++)
    g_assert_true (gtk_list_box_row_get_activatable (rows->pdata[i]));

  row = ui_test_find_row (page, "The five moments for hand hygiene");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "Lesson · 8 minutes");
  row = ui_test_find_row (page, "Cold chain quiz");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "Quiz · pass mark 80%");

  ui_test_save_screenshot (GTK_WIDGET (window), "course.png");

  /* Back returns keyboard focus to the card the course was opened from. */
  go_back (window);
  g_assert_true (gtk_widget_has_focus (gtk_widget_get_parent (GTK_WIDGET (card))));

  /* The other courses' item types: a survey and puzzles. */
  activate_card (window, find_card (window, "retail-bookkeeping-pricing"));
  g_ptr_array_set_size (groups, 0);
  ui_test_collect (page, ADW_TYPE_PREFERENCES_GROUP, groups);
  g_assert_cmpuint (groups->len, ==, 3);
  row = ui_test_find_row (page, "Survey: income and satisfaction");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "Survey");
  go_back (window);

  activate_card (window, find_card (window, "cfk-sequences-loops"));
  g_ptr_array_set_size (rows, 0);
  ui_test_collect (page, ADW_TYPE_ACTION_ROW, rows);
  /* 6 lessons, 12 puzzles and a quiz in four modules */
  g_assert_cmpuint (rows->len, ==, 19);
  /* Puzzles open in the puzzle view, like lessons and quizzes. */
  row = ui_test_find_row (page, "Puzzle: reach the flag");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "Puzzle");
  g_assert_true (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (row)));
  go_back (window);

  close_window (window, data_dir);
}

static void
test_library_empty (void)
{
  char *data_dir = make_data_dir ();
  SyWindow *window = open_window (data_dir);

  g_assert_cmpstr (_sy_window_get_view (window), ==, "empty");
  g_assert_cmpuint (_sy_window_get_n_cards (window), ==, 0);
  g_assert_true (ui_test_has_label (GTK_WIDGET (window), "No Courses Yet"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_cmpstr (_sy_window_get_view (window), ==, "empty");

  ui_test_save_screenshot (GTK_WIDGET (window), "empty.png");

  close_window (window, data_dir);
}

static void
test_library_open_error (void)
{
  char *data_dir = make_data_dir ();
  g_autofree char *not_a_folder = g_build_filename (data_dir, "not-a-folder", NULL);
  g_autoptr(GError) error = NULL;
  SyWindow *window;

  /* A file where the data folder should be: the store cannot open. */
  g_file_set_contents (not_a_folder, "", 0, &error);
  g_assert_no_error (error);
  window = open_window (not_a_folder);

  g_assert_cmpstr (_sy_window_get_view (window), ==, "error");
  g_assert_true (ui_test_has_label (GTK_WIDGET (window), "Could Not Open Your Courses"));
  /* Nothing can be added to a store that is not open: the buttons say so. */
  {
    g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
    guint n_add = 0;

    ui_test_collect (GTK_WIDGET (window), GTK_TYPE_BUTTON, buttons);
    for (guint i = 0; i < buttons->len; i++)
      if (g_strcmp0 (gtk_actionable_get_action_name (buttons->pdata[i]), "win.add-course") == 0)
        {
          g_assert_false (gtk_widget_is_sensitive (buttons->pdata[i]));
          n_add++;
        }
    g_assert_cmpuint (n_add, >, 0);
  }
  ui_test_save_screenshot (GTK_WIDGET (window), "open-error.png");

  close_window (window, data_dir);
}

static AdwMessageDialog *
find_message_dialog (SyWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) &&
          gtk_window_get_transient_for (toplevel) == GTK_WINDOW (window) &&
          gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return ADW_MESSAGE_DIALOG (toplevel);
    }
  return NULL;
}

static gboolean
has_message_dialog (gpointer data)
{
  return find_message_dialog (data) != NULL && !_sy_window_is_busy (data);
}

static gboolean
has_no_message_dialog (gpointer data)
{
  return find_message_dialog (data) == NULL;
}

static void
test_import_failure (void)
{
  char *data_dir = make_data_dir ();
  g_autofree char *bad_dir = make_data_dir ();
  g_autofree char *course_json = g_build_filename (bad_dir, "course.json", NULL);
  g_autoptr(GFile) bad = g_file_new_for_path (bad_dir);
  g_autofree char *bad_name = g_path_get_basename (bad_dir);
  g_autoptr(GError) error = NULL;
  SyWindow *window = open_window (data_dir);
  AdwMessageDialog *dialog;
  const char *body;

  /* No title. */
  g_file_set_contents (course_json,
                       "{\"format\": 1, \"id\": \"no-title\", \"version\": 1,"
                       " \"programme\": \"retail\", \"languages\": [\"en\"],"
                       " \"class_hours\": 1, \"modules\": []}",
                       -1, &error);
  g_assert_no_error (error);

  sy_window_import (window, &bad, 1);
  g_assert_true (ui_test_wait_for (has_message_dialog, window));

  dialog = find_message_dialog (window);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Could Not Add Course");
  body = adw_message_dialog_get_body (dialog);
  g_test_message ("error shown: %s", body);
  g_assert_true (g_str_has_prefix (body, bad_name));
  g_assert_nonnull (strstr (body, "course.json"));
  g_assert_nonnull (strstr (body, "title"));
  g_assert_true (adw_message_dialog_has_response (dialog, "close"));

  ui_test_spin (300);
  ui_test_save_screenshot (GTK_WIDGET (dialog), "import-error.png");

  /* Click "Close", as a user would. */
  {
    g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
    GtkWidget *close = NULL;

    ui_test_collect (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, buttons);
    for (guint i = 0; i < buttons->len; i++)
      {
        /* The dialog keeps a wide and a narrow row of buttons; one is shown. */
        if (!gtk_widget_get_mapped (buttons->pdata[i]))
          continue;
        g_assert_null (close);
        g_assert_cmpstr (gtk_button_get_label (buttons->pdata[i]), ==, "_Close");
        close = buttons->pdata[i];
      }
    g_assert_nonnull (close);
    gtk_widget_activate (close);
  }
  g_assert_true (ui_test_wait_for (has_no_message_dialog, window));

  /* A failed import changes nothing. */
  g_assert_cmpstr (_sy_window_get_view (window), ==, "empty");
  g_assert_cmpuint (_sy_window_get_n_cards (window), ==, 0);
  g_assert_null (_sy_window_get_last_toast (window));

  sy_rm_rf (bad_dir, &error);
  g_assert_no_error (error);
  close_window (window, data_dir);
}

static gboolean
import_done (gpointer data)
{
  return !_sy_window_is_busy (data) && _sy_window_get_last_toast (data) != NULL;
}

static void
import_and_wait (SyWindow *window,
                 GFile   **files,
                 guint     n_files)
{
  sy_window_import (window, files, n_files);
  g_assert_true (_sy_window_is_busy (window));
  g_assert_true (ui_test_wait_for (import_done, window));
  if (find_message_dialog (window) != NULL)
    g_error ("import failed: %s", adw_message_dialog_get_body (find_message_dialog (window)));
}

/* Copies a sample course with its version raised, for an update. */
static GFile *
make_version_2 (const char *sample,
                const char *into)
{
  g_autoptr(GFile) source = ui_test_sample_file (sample);
  g_autofree char *source_path = g_file_get_path (source);
  g_autofree char *target = g_build_filename (into, sample, NULL);
  g_autofree char *json_path = g_build_filename (target, "course.json", NULL);
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_autofree char *raised = NULL;
  const char *argv[] = { "cp", "-R", source_path, target, NULL };
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  g_file_get_contents (json_path, &json, NULL, &error);
  g_assert_no_error (error);
  regex = g_regex_new ("\"version\"\\s*:\\s*1\\b", 0, 0, &error);
  g_assert_no_error (error);
  raised = g_regex_replace_literal (regex, json, -1, 0, "\"version\": 2", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (raised, !=, json);
  g_file_set_contents (json_path, raised, -1, &error);
  g_assert_no_error (error);

  return g_file_new_for_path (target);
}

static void
test_import_success (void)
{
  char *data_dir = make_data_dir ();
  g_autofree char *work_dir = make_data_dir ();
  g_autoptr(GFile) hygiene = ui_test_sample_file ("village-doctor-hygiene");
  g_autoptr(GFile) coding = ui_test_sample_file ("coding-for-kids");
  g_autoptr(GFile) retail = ui_test_sample_file ("retail-bookkeeping");
  g_autoptr(GFile) hygiene_2 = make_version_2 ("village-doctor-hygiene", work_dir);
  GFile *several[] = { coding, hygiene_2, retail };
  g_autoptr(GError) error = NULL;
  SyWindow *window = open_window (data_dir);

  g_assert_cmpstr (_sy_window_get_view (window), ==, "empty");

  import_and_wait (window, &hygiene, 1);
  g_assert_cmpstr (_sy_window_get_last_toast (window), ==,
                   "“Village doctor: hand hygiene and the vaccine cold chain” added");
  g_assert_cmpstr (_sy_window_get_view (window), ==, "courses");
  g_assert_cmpuint (_sy_window_get_n_cards (window), ==, 1);
  ui_test_spin (400);
  ui_test_save_screenshot (GTK_WIDGET (window), "import-added.png");

  import_and_wait (window, &hygiene, 1);
  g_assert_cmpstr (_sy_window_get_last_toast (window), ==,
                   "“Village doctor: hand hygiene and the vaccine cold chain” is already installed");
  g_assert_cmpuint (_sy_window_get_n_cards (window), ==, 1);

  import_and_wait (window, &hygiene_2, 1);
  g_assert_cmpstr (_sy_window_get_last_toast (window), ==,
                   "“Village doctor: hand hygiene and the vaccine cold chain” updated to version 2");
  g_assert_cmpuint (_sy_window_get_n_cards (window), ==, 1);

  /* Several at once, as a drop of three folders does: one toast for all. */
  import_and_wait (window, several, G_N_ELEMENTS (several));
  g_assert_cmpstr (_sy_window_get_last_toast (window), ==, "2 courses added");
  g_assert_cmpuint (_sy_window_get_n_cards (window), ==, 3);

  sy_rm_rf (work_dir, &error);
  g_assert_no_error (error);
  close_window (window, data_dir);
}

static GtkDropTarget *
find_drop_target (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        return GTK_DROP_TARGET (controller);
    }
  return NULL;
}

static void
test_import_drop (void)
{
  char *data_dir = make_data_dir ();
  g_autoptr(GFile) coding = ui_test_sample_file ("coding-for-kids");
  g_autoptr(GFile) retail = ui_test_sample_file ("retail-bookkeeping");
  GFile *files[] = { coding, retail };
  g_auto(GValue) value = G_VALUE_INIT;
  SyWindow *window = open_window (data_dir);
  GtkDropTarget *target = find_drop_target (GTK_WIDGET (window));
  gboolean handled = FALSE;

  g_assert_nonnull (target);
  g_assert_true (g_type_is_a (GDK_TYPE_FILE_LIST,
                              gtk_drop_target_get_gtypes (target, NULL)[0]));

  /* Two course folders dropped on the window at once. */
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_array (files, G_N_ELEMENTS (files)));
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &handled);
  g_assert_true (handled);
  g_assert_true (_sy_window_is_busy (window));
  g_assert_true (ui_test_wait_for (import_done, window));

  g_assert_null (find_message_dialog (window));
  g_assert_cmpstr (_sy_window_get_last_toast (window), ==, "2 courses added");
  g_assert_cmpuint (_sy_window_get_n_cards (window), ==, 2);

  close_window (window, data_dir);
}

static void
test_chinese (void)
{
  const char *titles[] = {
    "乡村医生：手卫生与疫苗冷链",
    "少儿编程：顺序与循环",
    "零售：日常记账与定价",
  };
  char *data_dir = make_data_dir ();
  SyWindow *window;
  GtkWidget *page;
  g_autoptr(GPtrArray) groups = g_ptr_array_new ();

  /* Course data comes in Chinese from the packages, the interface from po/zh_CN.po
   * (SHUYUAN_LOCALEDIR points at the build's catalogues). */
  g_setenv ("LANGUAGE", "zh_CN", TRUE);

  import_samples (data_dir);
  window = open_window (data_dir);

  g_assert_cmpuint (_sy_window_get_n_cards (window), ==, 3);
  qsort (titles, G_N_ELEMENTS (titles), sizeof (char *), compare_utf8);
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    g_assert_true (ui_test_has_label (GTK_WIDGET (_sy_window_get_card (window, i)), titles[i]));
  g_assert_true (ui_test_has_label (GTK_WIDGET (find_card (window, "vd-hand-hygiene-cold-chain")), "乡村医生"));
  g_assert_true (ui_test_has_label (GTK_WIDGET (find_card (window, "vd-hand-hygiene-cold-chain")), "已完成 0/7"));

  ui_test_save_screenshot (GTK_WIDGET (window), "library-zh_CN.png");

  activate_card (window, find_card (window, "vd-hand-hygiene-cold-chain"));
  page = GTK_WIDGET (_sy_window_get_course_page (window));
  g_assert_true (ui_test_has_label (page, "乡村医生：手卫生与疫苗冷链"));
  ui_test_collect (page, ADW_TYPE_PREFERENCES_GROUP, groups);
  g_assert_cmpuint (groups->len, ==, 2);
  g_assert_cmpstr (adw_preferences_group_get_title (groups->pdata[0]), ==, "手卫生");
  g_assert_nonnull (ui_test_find_row (page, "手卫生的五个时刻"));

  ui_test_save_screenshot (GTK_WIDGET (window), "course-zh_CN.png");

  go_back (window);
  g_unsetenv ("LANGUAGE");
  close_window (window, data_dir);
}

static void
test_small_screens (void)
{
  char *data_dir = make_data_dir ();
  g_autofree char *empty_dir = make_data_dir ();
  SyWindow *window;
  SyWindow *empty;
  g_autoptr(GSettings) settings = NULL;
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GError) error = NULL;

  import_samples (data_dir);
  window = open_window (data_dir);

  /* GTK keeps a window inside its monitor: 1366×768 only fits on a big enough screen. */
  {
    GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (window));
    GdkMonitor *monitor = g_list_model_get_item (gdk_display_get_monitors (display), 0);
    GdkRectangle geometry;

    gdk_monitor_get_geometry (monitor, &geometry);
    g_object_unref (monitor);
    if (geometry.width >= 1366 && geometry.height >= 768)
      {
        ui_test_resize_window (window, 1366, 768);
        ui_test_save_screenshot (GTK_WIDGET (window), "library-1366x768.png");
      }
    else
      g_test_message ("screen is %d×%d: no 1366×768 screenshot", geometry.width, geometry.height);
  }

  ui_test_resize_window (window, 1024, 600);
  ui_test_assert_fits (window, 1024, 600);
  /* Three cards still fit side by side. */
  {
    graphene_point_t first;
    graphene_point_t third;

    g_assert_true (gtk_widget_compute_point (GTK_WIDGET (_sy_window_get_card (window, 0)),
                                             GTK_WIDGET (window), &GRAPHENE_POINT_INIT (0, 0),
                                             &first));
    g_assert_true (gtk_widget_compute_point (GTK_WIDGET (_sy_window_get_card (window, 2)),
                                             GTK_WIDGET (window), &GRAPHENE_POINT_INIT (0, 0),
                                             &third));
    g_assert_cmpfloat (first.y, ==, third.y);
  }
  ui_test_save_screenshot (GTK_WIDGET (window), "library-1024x600.png");

  activate_card (window, find_card (window, "retail-bookkeeping-pricing"));
  ui_test_assert_fits (window, 1024, 600);
  ui_test_save_screenshot (GTK_WIDGET (window), "course-1024x600.png");
  go_back (window);

  empty = open_window (empty_dir);
  ui_test_resize_window (empty, 1024, 600);
  ui_test_assert_fits (empty, 1024, 600);
  ui_test_save_screenshot (GTK_WIDGET (empty), "empty-1024x600.png");

  /* The size is remembered when the window closes. */
  schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  g_assert_nonnull (schema);
  settings = g_settings_new_full (schema, NULL, NULL);
  gtk_window_close (GTK_WINDOW (empty));
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1024);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 600);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
  ui_test_spin (100);
  sy_rm_rf (empty_dir, &error);
  g_assert_no_error (error);

  close_window (window, data_dir);
}

/* Many courses: the first screenful comes first and the rest follow; only the cards on
 * screen (and one screenful below) load their covers. */
static void
write_generated_course (const char *dir,
                        guint       index)
{
  g_autofree char *json = g_strdup_printf (
    "{\"format\": 1, \"id\": \"gen-%03u\", \"version\": 1, \"programme\": \"retail\","
    " \"title\": \"Course %03u\", \"languages\": [\"en\"], \"class_hours\": 1,"
    " \"cover\": \"cover.svg\", \"modules\": [{\"id\": \"m\", \"title\": \"M\", \"items\": ["
    " {\"id\": \"l\", \"type\": \"lesson\", \"title\": \"L\", \"file\": \"l.md\", \"minutes\": 1}]}]}",
    index, index);
  g_autofree char *course = g_build_filename (dir, "course.json", NULL);
  g_autofree char *lesson = g_build_filename (dir, "l.md", NULL);
  g_autofree char *cover = g_build_filename (dir, "cover.svg", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (course, json, -1, NULL));
  g_assert_true (g_file_set_contents (lesson, "# L\n", -1, NULL));
  g_assert_true (g_file_set_contents (cover, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                                             "width=\"48\" height=\"27\"><rect width=\"48\" "
                                             "height=\"27\" fill=\"#9bd\"/></svg>", -1, NULL));
}

static gboolean
all_cards_listed (gpointer data)
{
  return _sy_window_get_n_cards (data) == 45;
}

static gboolean
first_cover_shown (gpointer data)
{
  SyCourseCard *card = _sy_window_get_card (data, 0);
  return card != NULL && sy_course_card_has_cover (card);
}

static void
test_many_courses (void)
{
  char *data_dir = make_data_dir ();
  g_autofree char *packages = make_data_dir ();
  g_autoptr(SyStore) store = sy_store_new (data_dir);
  g_autoptr(GError) error = NULL;
  SyWindow *window;
  guint n_made, n_with_cover;

  g_assert_true (sy_store_open (store, NULL, &error));
  for (guint i = 0; i < 45; i++)
    {
      g_autofree char *name = g_strdup_printf ("c%03u", i);
      g_autofree char *dir = g_build_filename (packages, name, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (dir);
      g_autoptr(SyCourse) course = NULL;

      write_generated_course (dir, i);
      course = sy_store_import (store, file, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  g_clear_object (&store);

  window = open_window (data_dir);
  g_assert_true (ui_test_wait_for (all_cards_listed, window));
  g_assert_true (ui_test_wait_for (first_cover_shown, window));
  ui_test_spin (300);

  _sy_window_count_cards (window, &n_made, &n_with_cover);
  g_test_message ("%u cards made, %u with their cover", n_made, n_with_cover);
  g_assert_cmpuint (n_made, >, 20);
  g_assert_cmpuint (n_with_cover, >, 0);
  g_assert_cmpuint (n_with_cover, <, n_made);
  g_assert_true (ui_test_has_label (GTK_WIDGET (_sy_window_get_card (window, 0)), "Course 000"));

  close_window (window, data_dir);
  sy_rm_rf (packages, NULL);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  ui_test_init (&argc, &argv, SY_TEST_SCHEMA_DIR);
  app = ui_test_register_app ();

  g_test_add_func ("/ui/library/cards", test_library_cards);
  g_test_add_func ("/ui/library/empty", test_library_empty);
  g_test_add_func ("/ui/library/open-error", test_library_open_error);
  g_test_add_func ("/ui/course/page", test_course_page);
  g_test_add_func ("/ui/import/failure", test_import_failure);
  g_test_add_func ("/ui/import/success", test_import_success);
  g_test_add_func ("/ui/import/drop", test_import_drop);
  g_test_add_func ("/ui/window/small-screens", test_small_screens);
  g_test_add_func ("/ui/i18n/zh-CN", test_chinese);
  g_test_add_func ("/ui/library/many-courses", test_many_courses);

  ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}
