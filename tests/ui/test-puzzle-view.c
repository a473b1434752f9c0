/* test-puzzle-view.c — solving grid puzzles in SyPuzzleView, under Xvfb
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test makes a data folder with the coding course and a learner, puts a puzzle view
 * in a 1024×600 window and builds programs through the palette buttons as a child would.
 * What it checks in the end is what the store recorded.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "sy-application.h"
#include "sy-puzzle-view-private.h"
#include "sy-puzzle.h"
#include "sy-statement.h"
#include "sy-store.h"
#include "ui-test-util.h"

#define CODING "cfk-sequences-loops"

static SyApplication *app;

typedef struct
{
  char         *data_dir;
  SyStore      *store;
  SyLearner    *learner;
  SyCourse     *course;
  GtkWidget    *window;
  SyPuzzleView *view;
  guint         n_finished;
} Fixture;

/* ---- widgets ---- */

static GtkWidget *
named (Fixture    *f,
       const char *name)
{
  GtkWidget *widget = ui_test_find_named (GTK_WIDGET (f->view), name);

  if (widget == NULL)
    g_error ("no widget named “%s” in the puzzle view", name);
  return widget;
}

static const char *
label_text (Fixture    *f,
            const char *name)
{
  return gtk_label_get_label (GTK_LABEL (named (f, name)));
}

static void
clicked_cb (GtkButton *button,
            gboolean  *clicked)
{
  *clicked = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* Activates a button as Enter or a click would. GTK emits "clicked" after its press
 * animation, so this waits for it. */
static void
click (GtkWidget *button)
{
  gboolean clicked = FALSE;
  gulong id;

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  /* a remove button goes with its row */
  g_object_ref (button);
  id = g_signal_connect_after (button, "clicked", G_CALLBACK (clicked_cb), &clicked);
  g_assert_true (gtk_widget_activate (button));
  g_assert_true (ui_test_wait_for (is_true, &clicked));
  g_signal_handler_disconnect (button, id);
  g_object_unref (button);
}

/* Adds blocks through the palette: "FFLR" for forward, forward, left, right; "N" repeat,
 * "W" if wall ahead. */
static void
add_blocks (Fixture    *f,
            const char *letters)
{
  for (const char *p = letters; *p; p++)
    {
      const char *name = *p == 'F' ? "palette-forward" :
                         *p == 'L' ? "palette-left" :
                         *p == 'R' ? "palette-right" :
                         *p == 'N' ? "palette-repeat" :
                         *p == 'W' ? "palette-if-wall" : NULL;
      GtkWidget *button = named (f, name);

      /* the palette is reachable by Tab */
      g_assert_true (gtk_widget_get_focusable (button));
      click (button);
    }
}

static char *
program_text (Fixture *f)
{
  return sy_program_to_string (_sy_puzzle_view_get_program (f->view));
}

/* A key as the view's shortcut controllers see it (Xvfb cannot be sent keys from here). */
static gboolean
press_key (GtkWidget       *widget,
           guint            keyval,
           GdkModifierType  modifiers)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GtkShortcutTrigger) wanted = gtk_keyval_trigger_new (keyval, modifiers);

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

static gboolean
animation_ended (gpointer data)
{
  return !_sy_puzzle_view_is_animating (data);
}

/* Run, then the animation played to its end by the view's own ticks. */
static void
run_and_wait (Fixture *f)
{
  gtk_drop_down_set_selected (GTK_DROP_DOWN (named (f, "speed-dropdown")), 2);
  click (named (f, "run-button"));
  g_assert_true (_sy_puzzle_view_is_animating (f->view));
  g_assert_true (ui_test_wait_for (animation_ended, f->view));
}

/* ---- statements ---- */

static void
json_free (gpointer json)
{
  json_object_put (json);
}

static GPtrArray *
passed_statements (Fixture    *f,
                   const char *item_id)
{
  g_autoptr(GOutputStream) output = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func (json_free);
  g_auto(GStrv) lines = NULL;
  g_autofree char *text = NULL;

  sy_store_export_statements (f->store, NULL, output, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (output, NULL, &error);
  g_assert_no_error (error);
  text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (output)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (output)));
  /* nothing exported at all */
  if (text == NULL)
    return found;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      json_object *json;
      g_autoptr(SyStatementInfo) info = NULL;

      if (lines[i][0] == '\0')
        continue;
      json = json_tokener_parse (lines[i]);
      g_assert_nonnull (json);
      info = sy_statement_info_new (json, NULL);
      g_assert_nonnull (info);
      if (info->verb == SY_VERB_PASSED && g_strcmp0 (info->item_id, item_id) == 0)
        g_ptr_array_add (found, json);
      else
        json_object_put (json);
    }
  return found;
}

static json_object *
json_get (json_object *obj,
          const char  *key)
{
  json_object *val = NULL;

  return obj && json_object_object_get_ex (obj, key, &val) ? val : NULL;
}

static SyStatus
item_status (Fixture    *f,
             const char *item_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SyCourse) course = sy_store_get_course (f->store, CODING,
                                                    sy_learner_get_uuid (f->learner), NULL, &error);
  SyItem *item;

  g_assert_no_error (error);
  item = sy_course_find_item (course, item_id);
  g_assert_nonnull (item);
  return item->status;
}

typedef struct
{
  Fixture    *f;
  const char *item_id;
} StatusWait;

static gboolean
item_passed (gpointer data)
{
  StatusWait *w = data;

  return item_status (w->f, w->item_id) == SY_STATUS_PASSED;
}

/* ---- fixture ---- */

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static const char * const dirs[] = { "coding-for-kids", NULL };
  g_autoptr(GError) error = NULL;

  f->data_dir = ui_test_make_data_dir ("shuyuan-puzzle-XXXXXX");
  f->store = ui_test_open_store (f->data_dir);
  ui_test_import_samples (f->store, dirs);

  f->learner = sy_store_add_learner (f->store, "小明", SY_ROLE_LEARNER, NULL, &error);
  g_assert_no_error (error);
}

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
  g_clear_object (&f->course);
  g_clear_object (&f->learner);
  g_clear_object (&f->store);
  ui_test_remove_data_dir (f->data_dir);
}

static void
finished_cb (SyPuzzleView *view,
             Fixture      *f)
{
  f->n_finished++;
}

static gboolean
window_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* A window like the app's item page: a header bar above the view, 1024×600. */
static void
open_view (Fixture    *f,
           const char *item_id)
{
  g_autoptr(GError) error = NULL;
  SyItem *item;
  GtkWidget *box;
  GtkWidget *header;
  GtkWidget *view;

  close_view (f);
  g_clear_object (&f->course);
  f->n_finished = 0;

  f->course = sy_store_get_course (f->store, CODING, sy_learner_get_uuid (f->learner),
                                   NULL, &error);
  g_assert_no_error (error);
  item = sy_course_find_item (f->course, item_id);
  g_assert_nonnull (item);
  g_assert_cmpint (item->type, ==, SY_ITEM_PUZZLE);

  view = sy_puzzle_view_new (f->store, f->learner, f->course, item);
  g_assert_true (SY_IS_PUZZLE_VIEW (view));
  f->view = SY_PUZZLE_VIEW (view);
  g_assert_nonnull (_sy_puzzle_view_get_puzzle (f->view));
  g_signal_connect (view, "finished", G_CALLBACK (finished_cb), f);
  gtk_widget_set_vexpand (view, TRUE);

  header = adw_header_bar_new ();
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header),
                                   adw_window_title_new (sy_text_get (item->title, NULL), NULL));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), view);

  f->window = adw_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1024, 600);
  adw_window_set_content (ADW_WINDOW (f->window), box);
  gtk_window_present (GTK_WINDOW (f->window));

  g_assert_true (ui_test_wait_for (window_mapped, f->window));
}

static void
save_screenshot (Fixture    *f,
                 const char *name)
{
  ui_test_spin (300);
  ui_test_save_screenshot (f->window, name);
}

/* ---- tests ---- */

static void
test_solve (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) passed = NULL;
  json_object *result;
  json_object *tries;
  StatusWait wait = { f, "first-steps" };

  open_view (f, "first-steps");

  /* the palette has the puzzle's blocks only; nothing to run yet */
  g_assert_null (ui_test_find_named (GTK_WIDGET (f->view), "palette-repeat"));
  g_assert_false (gtk_widget_is_sensitive (named (f, "run-button")));
  g_assert_cmpstr (label_text (f, "count-label"), ==, "0 / 6 blocks");

  add_blocks (f, "FFLFF");
  text = program_text (f);
  g_assert_cmpstr (text, ==, "F F L F F");
  g_assert_cmpstr (label_text (f, "count-label"), ==, "5 / 6 blocks");
  g_assert_false (gtk_widget_has_css_class (named (f, "count-label"), "error"));

  /* F5 runs; the robot moves one step per tick */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (named (f, "speed-dropdown")), 2);
  g_assert_true (press_key (GTK_WIDGET (f->view), GDK_KEY_F5, 0));
  g_assert_true (_sy_puzzle_view_is_animating (f->view));
  g_assert_cmpint (_sy_puzzle_view_get_outcome (f->view), ==, -1);
  g_assert_true (ui_test_wait_for (animation_ended, f->view));

  g_assert_cmpint (_sy_puzzle_view_get_outcome (f->view), ==, SY_RUN_SOLVED);
  g_assert_cmpint (_sy_puzzle_view_get_position (f->view), ==, 4);
  g_assert_true (gtk_widget_get_visible (named (f, "message-box")));
  g_assert_cmpstr (label_text (f, "message-title"), ==, "Great job!");
  g_assert_cmpstr (label_text (f, "message-label"), ==, "Well done! The robot reached the flag.");
  g_assert_true (gtk_widget_get_visible (named (f, "continue-button")));

  /* recorded once as passed, with the program, the runs and the time */
  g_assert_true (ui_test_wait_for (item_passed, &wait));
  passed = passed_statements (f, "first-steps");
  g_assert_cmpuint (passed->len, ==, 1);
  result = json_get (passed->pdata[0], "result");
  g_assert_nonnull (result);
  g_assert_cmpstr (json_object_get_string (json_get (result, "response")), ==, "F F L F F");
  g_assert_true (json_object_get_boolean (json_get (result, "success")));
  tries = json_get (json_get (result, "extensions"), SY_TRIES_EXTENSION);
  g_assert_nonnull (tries);
  g_assert_cmpint (json_object_get_int (tries), ==, 1);
  g_assert_nonnull (json_get (result, "duration"));

  /* running again does not record a second time */
  run_and_wait (f);
  g_assert_cmpint (_sy_puzzle_view_get_outcome (f->view), ==, SY_RUN_SOLVED);
  ui_test_spin (200);
  g_clear_pointer (&passed, g_ptr_array_unref);
  passed = passed_statements (f, "first-steps");
  g_assert_cmpuint (passed->len, ==, 1);

  /* Continue says the view is done */
  g_assert_cmpuint (f->n_finished, ==, 0);
  click (named (f, "continue-button"));
  g_assert_cmpuint (f->n_finished, ==, 1);
}

static void
test_tries_and_step (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) passed = NULL;
  g_autofree char *text = NULL;
  json_object *result;
  StatusWait wait = { f, "first-steps" };

  open_view (f, "first-steps");

  /* a wrong first try, fixed by removing a block with Delete */
  add_blocks (f, "FFLFR");
  run_and_wait (f);
  g_assert_cmpint (_sy_puzzle_view_get_outcome (f->view), ==, SY_RUN_STOPPED_SHORT);
  g_assert_cmpstr (label_text (f, "message-label"), ==, "The robot stopped before the flag.");
  g_assert_true (press_key (GTK_WIDGET (f->view), GDK_KEY_Delete, 0));
  add_blocks (f, "F");
  text = program_text (f);
  g_assert_cmpstr (text, ==, "F F L F F");
  /* editing puts the robot back and hides the old message */
  g_assert_cmpint (_sy_puzzle_view_get_outcome (f->view), ==, -1);
  g_assert_false (gtk_widget_get_visible (named (f, "message-box")));

  /* Step shows one state at a time */
  for (int i = 0; i < 4; i++)
    {
      click (named (f, "step-button"));
      g_assert_cmpint (_sy_puzzle_view_get_position (f->view), ==, i);
      g_assert_cmpint (_sy_puzzle_view_get_outcome (f->view), ==, -1);
    }
  click (named (f, "step-button"));
  g_assert_cmpint (_sy_puzzle_view_get_outcome (f->view), ==, SY_RUN_SOLVED);

  g_assert_true (ui_test_wait_for (item_passed, &wait));
  passed = passed_statements (f, "first-steps");
  g_assert_cmpuint (passed->len, ==, 1);
  result = json_get (passed->pdata[0], "result");
  g_assert_cmpint (json_object_get_int (json_get (json_get (result, "extensions"),
                                                  SY_TRIES_EXTENSION)), ==, 2);

  /* Reset puts the robot back at the start */
  click (named (f, "reset-button"));
  g_assert_cmpint (_sy_puzzle_view_get_position (f->view), ==, -1);
  g_assert_false (gtk_widget_get_visible (named (f, "message-box")));
}

static gboolean
row_has_class (GtkWidget  *list,
               guint       index,
               const char *css)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), index);

  g_assert_nonnull (row);
  return gtk_widget_has_css_class (GTK_WIDGET (row), css);
}

static void
test_wall (Fixture       *f,
           gconstpointer  data)
{
  GtkWidget *list;

  open_view (f, "first-steps");

  /* off the edge of the grid */
  add_blocks (f, "FFFFF");
  run_and_wait (f);
  g_assert_cmpint (_sy_puzzle_view_get_outcome (f->view), ==, SY_RUN_HIT_WALL);
  g_assert_cmpstr (label_text (f, "message-title"), ==, "Not yet. Try again!");
  g_assert_cmpstr (label_text (f, "message-label"), ==, "The robot tried to walk off the grid.");
  g_assert_false (gtk_widget_get_visible (named (f, "continue-button")));
  /* the fourth forward is at fault (row 0 is "when Run is pressed") */
  list = named (f, "program-list");
  g_assert_true (row_has_class (list, 4, "puzzle-block-fault"));
  g_assert_false (row_has_class (list, 3, "puzzle-block-fault"));
  g_assert_false (row_has_class (list, 5, "puzzle-block-fault"));

  /* into a wall: clear the program with the remove buttons and try F L F */
  for (int i = 0; i < 5; i++)
    click (ui_test_find_named (GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 1)),
                               "remove-button"));
  g_assert_cmpuint (_sy_puzzle_view_get_program (f->view)->len, ==, 0);
  g_assert_false (gtk_widget_is_sensitive (named (f, "run-button")));
  add_blocks (f, "FLF");
  run_and_wait (f);
  g_assert_cmpint (_sy_puzzle_view_get_outcome (f->view), ==, SY_RUN_HIT_WALL);
  g_assert_cmpstr (label_text (f, "message-label"), ==, "The robot bumped into a wall.");
  g_assert_true (row_has_class (list, 3, "puzzle-block-fault"));

  /* nothing was recorded */
  ui_test_spin (200);
  g_assert_cmpint (item_status (f, "first-steps"), !=, SY_STATUS_PASSED);
  {
    g_autoptr(GPtrArray) passed = passed_statements (f, "first-steps");
    g_assert_cmpuint (passed->len, ==, 0);
  }
}

static void
test_too_many_blocks (Fixture       *f,
                      gconstpointer  data)
{
  open_view (f, "first-steps");

  add_blocks (f, "FFLFFRL");
  g_assert_cmpstr (label_text (f, "count-label"), ==, "7 / 6 blocks");
  g_assert_true (gtk_widget_has_css_class (named (f, "count-label"), "error"));

  /* refused before the robot moves */
  click (named (f, "run-button"));
  g_assert_false (_sy_puzzle_view_is_animating (f->view));
  g_assert_cmpint (_sy_puzzle_view_get_outcome (f->view), ==, SY_RUN_TOO_MANY_BLOCKS);
  g_assert_cmpint (_sy_puzzle_view_get_position (f->view), ==, -1);
  g_assert_cmpstr (label_text (f, "message-label"), ==, "Too many blocks: find a shorter way.");

  ui_test_spin (200);
  {
    g_autoptr(GPtrArray) passed = passed_statements (f, "first-steps");
    g_assert_cmpuint (passed->len, ==, 0);
  }
}

static void
test_repeat_and_hints (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *text = NULL;
  GtkWidget *list;
  GtkWidget *spin;
  StatusWait wait = { f, "stairs" };

  open_view (f, "stairs");

  /* a new repeat is selected and receives the next blocks */
  add_blocks (f, "N");
  list = named (f, "program-list");
  spin = GTK_WIDGET (ui_test_find_named (GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 1)),
                                         "repeat-count"));
  g_assert_nonnull (spin);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 4);
  add_blocks (f, "FLFR");
  text = program_text (f);
  g_assert_cmpstr (text, ==, "R4{F L F R}");
  g_assert_cmpstr (label_text (f, "count-label"), ==, "5 / 6 blocks");

  /* hints one at a time */
  g_assert_false (gtk_widget_get_visible (named (f, "hint-label")));
  click (named (f, "hint-button"));
  g_assert_true (gtk_widget_get_visible (named (f, "hint-label")));
  g_assert_true (g_str_has_prefix (label_text (f, "hint-label"), "Hint 1 of 3: How many blocks"));
  click (named (f, "hint-button"));
  click (named (f, "hint-button"));
  g_assert_true (g_str_has_prefix (label_text (f, "hint-label"), "Hint 3 of 3: Put those"));
  g_assert_false (gtk_widget_is_sensitive (named (f, "hint-button")));

  /* Ctrl+Enter runs too */
  g_assert_true (press_key (GTK_WIDGET (f->view), GDK_KEY_Return, GDK_CONTROL_MASK));
  g_assert_true (_sy_puzzle_view_is_animating (f->view));
  _sy_puzzle_view_finish_animation (f->view);
  g_assert_cmpint (_sy_puzzle_view_get_outcome (f->view), ==, SY_RUN_SOLVED);
  g_assert_true (ui_test_wait_for (item_passed, &wait));
}

static GtkWidget *
selected_row (GtkWidget *list)
{
  return GTK_WIDGET (gtk_list_box_get_selected_row (GTK_LIST_BOX (list)));
}

/* The last puzzle needs an else: "if a wall is ahead, climb a step; otherwise go forward".
 * The "Otherwise" row takes blocks into the else body, as the if row does for its body. */
static void
test_if_else (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) passed = NULL;
  g_autofree char *text = NULL;
  GtkWidget *list;
  GtkWidget *spin;
  GtkWidget *else_row;
  StatusWait wait = { f, "hill" };

  open_view (f, "hill");
  list = named (f, "program-list");

  /* an if with no blocks yet still shows its "Otherwise" row, with nothing after it */
  add_blocks (f, "NW");
  g_assert_cmpstr (gtk_widget_get_name (GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 3))),
                   ==, "else-row");
  g_assert_null (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 4));
  text = program_text (f);
  g_assert_cmpstr (text, ==, "R2{W{}}");
  g_clear_pointer (&text, g_free);

  spin = ui_test_find_named (GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 1)),
                             "repeat-count");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 20);
  /* the if is selected: the climb goes inside it */
  add_blocks (f, "LFR");
  text = program_text (f);
  g_assert_cmpstr (text, ==, "R20{W{L F R}}");
  g_clear_pointer (&text, g_free);

  else_row = named (f, "else-row");
  g_assert_true (gtk_widget_has_css_class (else_row, "puzzle-else-row"));
  /* "Otherwise" is not a block: it cannot be removed, and has no remove button */
  g_assert_null (ui_test_find_named (else_row, "remove-button"));

  /* choosing "Otherwise" makes the next block the else body */
  gtk_list_box_select_row (GTK_LIST_BOX (list), GTK_LIST_BOX_ROW (else_row));
  g_assert_true (selected_row (list) == else_row);
  press_key (GTK_WIDGET (f->view), GDK_KEY_Delete, 0);
  text = program_text (f);
  g_assert_cmpstr (text, ==, "R20{W{L F R}}");
  g_clear_pointer (&text, g_free);
  add_blocks (f, "F");
  text = program_text (f);
  g_assert_cmpstr (text, ==, "R20{W{L F R}{F}}");
  g_clear_pointer (&text, g_free);
  g_assert_cmpstr (label_text (f, "count-label"), ==, "6 / 7 blocks");
  /* rows: start, repeat, if, L, F, R, otherwise, F */
  g_assert_true (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 6) ==
                 GTK_LIST_BOX_ROW (named (f, "else-row")));
  g_assert_true (selected_row (list) ==
                 GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 7)));

  /* removing the only block after "Otherwise" drops the else, and the cursor goes back
   * to the "Otherwise" row, so the next block goes there again */
  g_assert_true (press_key (GTK_WIDGET (f->view), GDK_KEY_Delete, 0));
  text = program_text (f);
  g_assert_cmpstr (text, ==, "R20{W{L F R}}");
  g_clear_pointer (&text, g_free);
  g_assert_cmpstr (gtk_widget_get_name (selected_row (list)), ==, "else-row");

  /* without the else the robot never moves: at the start no wall is ahead */
  click (named (f, "run-button"));
  g_assert_false (_sy_puzzle_view_is_animating (f->view));
  g_assert_cmpint (_sy_puzzle_view_get_outcome (f->view), ==, SY_RUN_STOPPED_SHORT);
  g_assert_cmpstr (gtk_widget_get_name (selected_row (list)), ==, "else-row");

  add_blocks (f, "F");
  text = program_text (f);
  g_assert_cmpstr (text, ==, "R20{W{L F R}{F}}");

  /* the else body's forward steps are played from their own row */
  click (named (f, "step-button"));
  g_assert_true (gtk_widget_has_css_class (
    GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 7)), "puzzle-block-current"));

  run_and_wait (f);
  g_assert_cmpint (_sy_puzzle_view_get_outcome (f->view), ==, SY_RUN_SOLVED);
  g_assert_cmpstr (label_text (f, "message-title"), ==, "Great job!");
  save_screenshot (f, "puzzle-if-else.png");

  g_assert_true (ui_test_wait_for (item_passed, &wait));
  passed = passed_statements (f, "hill");
  g_assert_cmpuint (passed->len, ==, 1);
  g_assert_cmpstr (json_object_get_string (json_get (json_get (passed->pdata[0], "result"),
                                                     "response")),
                   ==, "R20{W{L F R}{F}}");
}

static void
test_chinese_screenshots (Fixture       *f,
                          gconstpointer  data)
{
  GtkWidget *spin;

  g_setenv ("LANGUAGE", "zh_CN", TRUE);

  open_view (f, "first-steps");
  add_blocks (f, "FFL");
  save_screenshot (f, "puzzle-zh_CN.png");
  add_blocks (f, "FF");
  click (named (f, "hint-button"));
  click (named (f, "run-button"));
  _sy_puzzle_view_finish_animation (f->view);
  g_assert_cmpint (_sy_puzzle_view_get_outcome (f->view), ==, SY_RUN_SOLVED);
  save_screenshot (f, "puzzle-success-zh_CN.png");

  open_view (f, "stairs");
  add_blocks (f, "N");
  spin = ui_test_find_named (GTK_WIDGET (f->view), "repeat-count");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 3);
  add_blocks (f, "FLFR");
  click (named (f, "run-button"));
  _sy_puzzle_view_finish_animation (f->view);
  g_assert_cmpint (_sy_puzzle_view_get_outcome (f->view), !=, SY_RUN_SOLVED);
  save_screenshot (f, "puzzle-failure-zh_CN.png");

  /* if / otherwise: “否则” */
  open_view (f, "hill");
  add_blocks (f, "N");
  spin = ui_test_find_named (GTK_WIDGET (f->view), "repeat-count");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 20);
  add_blocks (f, "WLFR");
  gtk_list_box_select_row (GTK_LIST_BOX (named (f, "program-list")),
                           GTK_LIST_BOX_ROW (named (f, "else-row")));
  add_blocks (f, "F");
  click (named (f, "run-button"));
  _sy_puzzle_view_finish_animation (f->view);
  g_assert_cmpint (_sy_puzzle_view_get_outcome (f->view), ==, SY_RUN_SOLVED);
  save_screenshot (f, "puzzle-if-else-zh_CN.png");

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

  g_test_add ("/puzzle-view/solve", Fixture, NULL, fixture_set_up, test_solve, fixture_tear_down);
  g_test_add ("/puzzle-view/tries-and-step", Fixture, NULL, fixture_set_up, test_tries_and_step,
              fixture_tear_down);
  g_test_add ("/puzzle-view/wall", Fixture, NULL, fixture_set_up, test_wall, fixture_tear_down);
  g_test_add ("/puzzle-view/too-many-blocks", Fixture, NULL, fixture_set_up,
              test_too_many_blocks, fixture_tear_down);
  g_test_add ("/puzzle-view/repeat-and-hints", Fixture, NULL, fixture_set_up,
              test_repeat_and_hints, fixture_tear_down);
  g_test_add ("/puzzle-view/if-else", Fixture, NULL, fixture_set_up, test_if_else,
              fixture_tear_down);
  g_test_add ("/puzzle-view/zh-CN-screenshots", Fixture, NULL, fixture_set_up,
              test_chinese_screenshots, fixture_tear_down);

  ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}
