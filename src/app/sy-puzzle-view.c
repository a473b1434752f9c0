/* sy-puzzle-view.c — solving a grid puzzle with a block program
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The program is edited as a tree (SyBlock) and shown flattened in a list box, one row a
 * block, indented by depth. An if-wall-ahead is followed by its blocks, then by an
 * "Otherwise" row and the blocks of its else body. The selected row is the cursor: a new
 * block goes into a selected repeat or if-wall-ahead, into the else body of a selected
 * "Otherwise" row, after a selected step, or at the end of the program when the first row
 * ("when Run is pressed") is selected. An else body left empty is dropped, so an if
 * without blocks after "Otherwise" has no else.
 */

#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <math.h>

#include "sy-puzzle-view-private.h"
#include "sy-puzzle.h"
#include "sy-statement.h"

#define SPEED_SLOW_MS   900
#define SPEED_NORMAL_MS 500
#define SPEED_FAST_MS   200
#define DEFAULT_REPEAT  2

struct _SyPuzzleView
{
  GtkWidget     parent_instance;

  SyStore      *store;
  SyLearner    *learner;
  SyCourse     *course;
  SyItem       *item;        /* owned by course */
  SyPuzzle     *puzzle;      /* NULL when the file could not be read */

  GPtrArray    *program;
  SyBlock      *selected;    /* the cursor; NULL: the end of the program */
  gboolean      selected_else; /* the cursor is the "Otherwise" row of selected, an if */

  SyRunResult   result;
  gboolean      has_result;  /* result holds a run of the current program */
  int           pos;         /* the state drawn: an index in result.trace, -1 the start */
  gboolean      run_done;
  int           outcome;     /* of the last finished run, -1 for none */
  guint         tick_id;
  guint         tries;
  gint64        opened_us;
  gboolean      recorded;
  guint         n_hints_shown;
  gboolean      rebuilding;

  GtkWidget    *main_box;
  GtkWidget    *grid_area;
  GtkWidget    *program_list;
  GtkWidget    *count_label;
  GtkWidget    *message_box;
  GtkWidget    *message_title;
  GtkWidget    *message_label;
  GtkWidget    *continue_button;
  GtkWidget    *hint_button;
  GtkWidget    *hint_label;
  GtkWidget    *speed_dropdown;
};

G_DEFINE_FINAL_TYPE (SyPuzzleView, sy_puzzle_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void rebuild_program_list (SyPuzzleView *self);

/* ---- blocks ---- */

static const char *
block_icon (SyBlockKind kind)
{
  switch (kind)
    {
    case SY_BLOCK_FORWARD:
      return "go-up-symbolic";
    case SY_BLOCK_LEFT:
      return "object-rotate-left-symbolic";
    case SY_BLOCK_RIGHT:
      return "object-rotate-right-symbolic";
    case SY_BLOCK_REPEAT:
      return "media-playlist-repeat-symbolic";
    case SY_BLOCK_IF_WALL_AHEAD:
    default:
      return "dialog-question-symbolic";
    }
}

static const char *
block_label (SyBlockKind kind)
{
  switch (kind)
    {
    case SY_BLOCK_FORWARD:
      /* Translators: a program block for children: the robot steps forward one square */
      return _("Forward");
    case SY_BLOCK_LEFT:
      /* Translators: a program block for children: the robot turns left */
      return _("Turn Left");
    case SY_BLOCK_RIGHT:
      /* Translators: a program block for children: the robot turns right */
      return _("Turn Right");
    case SY_BLOCK_REPEAT:
      /* Translators: a program block for children: runs the blocks inside it N times */
      return _("Repeat");
    case SY_BLOCK_IF_WALL_AHEAD:
    default:
      /* Translators: a program block for children: runs the blocks inside it only when a
       * wall is in front of the robot */
      return _("If Wall Ahead");
    }
}

static const char *
block_name (SyBlockKind kind)
{
  static const char * const names[] = { "forward", "left", "right", "repeat", "if-wall" };

  return names[kind];
}

static gboolean
is_container (const SyBlock *block)
{
  return block != NULL && (block->kind == SY_BLOCK_REPEAT || block->kind == SY_BLOCK_IF_WALL_AHEAD);
}

/* The array that holds @block, or NULL. */
static GPtrArray *
find_parent (GPtrArray     *program,
             const SyBlock *block)
{
  for (guint i = 0; i < program->len; i++)
    {
      SyBlock *b = g_ptr_array_index (program, i);
      GPtrArray *found;

      if (b == block)
        return program;
      if (b->body != NULL && (found = find_parent (b->body, block)) != NULL)
        return found;
      if (b->else_body != NULL && (found = find_parent (b->else_body, block)) != NULL)
        return found;
    }
  return NULL;
}

/* The block whose body is @blocks, or NULL for the program itself. */
static SyBlock *
find_owner (GPtrArray *program,
            GPtrArray *blocks)
{
  for (guint i = 0; i < program->len; i++)
    {
      SyBlock *b = g_ptr_array_index (program, i);
      SyBlock *found;

      if (b->body == blocks || b->else_body == blocks)
        return b;
      if (b->body != NULL && (found = find_owner (b->body, blocks)) != NULL)
        return found;
      if (b->else_body != NULL && (found = find_owner (b->else_body, blocks)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
contains_block (const SyBlock *root,
                const SyBlock *block)
{
  if (root == block)
    return TRUE;
  if (root->body != NULL && find_parent (root->body, block) != NULL)
    return TRUE;
  return root->else_body != NULL && find_parent (root->else_body, block) != NULL;
}

/* ---- running ---- */

static void
update_actions (SyPuzzleView *self)
{
  gboolean can_run = self->puzzle != NULL && self->program->len > 0;
  GPtrArray *hints = self->puzzle ? sy_puzzle_get_hints (self->puzzle) : NULL;
  guint n_hints = hints ? hints->len : 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "puzzle.run", can_run);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "puzzle.step", can_run);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "puzzle.reset", self->has_result);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "puzzle.hint",
                                 self->n_hints_shown < n_hints);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "puzzle.remove-selected",
                                 self->selected != NULL && !self->selected_else);
}

static const SyRunState *
current_state (SyPuzzleView *self)
{
  if (!self->has_result || self->pos < 0 || (guint) self->pos >= self->result.trace->len)
    return NULL;
  return &g_array_index (self->result.trace, SyRunState, self->pos);
}

/* Marks the row of the step being played, and after a failed run the row at fault. */
static void
update_row_marks (SyPuzzleView *self)
{
  const SyRunState *state = current_state (self);
  const SyBlock *current = state && !self->run_done ? state->block : NULL;
  const SyBlock *fault = NULL;

  if (self->run_done && self->result.outcome != SY_RUN_SOLVED)
    fault = self->result.block;

  for (GtkWidget *row = gtk_widget_get_first_child (self->program_list);
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      const SyBlock *block = g_object_get_data (G_OBJECT (row), "sy-block");

      if (!GTK_IS_LIST_BOX_ROW (row))
        continue;
      if (block != NULL && block == current)
        gtk_widget_add_css_class (row, "puzzle-block-current");
      else
        gtk_widget_remove_css_class (row, "puzzle-block-current");
      if (block != NULL && block == fault)
        gtk_widget_add_css_class (row, "puzzle-block-fault");
      else
        gtk_widget_remove_css_class (row, "puzzle-block-fault");
    }
}

static void
hide_message (SyPuzzleView *self)
{
  gtk_widget_set_visible (self->message_box, FALSE);
  gtk_widget_set_visible (self->continue_button, FALSE);
  gtk_widget_remove_css_class (self->message_box, "success");
  gtk_widget_remove_css_class (self->message_box, "failure");
}

static void
show_message (SyPuzzleView *self,
              const char   *title,
              const char   *text,
              gboolean      success)
{
  gtk_label_set_label (GTK_LABEL (self->message_title), title);
  gtk_label_set_label (GTK_LABEL (self->message_label), text);
  gtk_widget_remove_css_class (self->message_box, success ? "failure" : "success");
  gtk_widget_add_css_class (self->message_box, success ? "success" : "failure");
  gtk_widget_set_visible (self->continue_button, success);
  gtk_widget_set_visible (self->message_box, TRUE);
}

static void
stop_animation (SyPuzzleView *self)
{
  g_clear_handle_id (&self->tick_id, g_source_remove);
}

/* The program changed, or Reset: the robot goes back to the start. */
static void
invalidate_run (SyPuzzleView *self)
{
  stop_animation (self);
  if (self->has_result)
    sy_run_result_clear (&self->result);
  self->has_result = FALSE;
  self->run_done = FALSE;
  self->pos = -1;
  self->outcome = -1;
  hide_message (self);
  update_row_marks (self);
  gtk_widget_queue_draw (self->grid_area);
  update_actions (self);
}

static void
record_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = sy_store_record_finish (SY_STORE (source), result, &error);

  if (id == NULL)
    g_warning ("Could not record the solved puzzle: %s", error->message);
}

static void
record_passed (SyPuzzleView *self)
{
  g_autofree char *response = sy_program_to_string (self->program);
  SyEvent event;

  if (self->recorded)
    return;
  self->recorded = TRUE;

  sy_event_init (&event);
  event.learner_uuid = sy_learner_get_uuid (self->learner);
  event.course_id = sy_course_get_id (self->course);
  event.item_id = self->item->id;
  event.verb = SY_VERB_PASSED;
  event.success = 1;
  event.completion = 1;
  event.response = response;
  event.tries = self->tries;
  event.seconds = (g_get_monotonic_time () - self->opened_us) / (double) G_USEC_PER_SEC;
  event.object_name = self->item->title;
  event.item_type = SY_ITEM_PUZZLE;
  sy_store_record_async (self->store, &event, NULL, record_cb, NULL);
}

static void
finish_run (SyPuzzleView *self)
{
  const char *text = sy_run_result_describe (&self->result, self->puzzle);

  stop_animation (self);
  self->run_done = TRUE;
  self->pos = (int) self->result.trace->len - 1;
  self->outcome = self->result.outcome;

  if (self->result.outcome == SY_RUN_SOLVED)
    {
      record_passed (self);
      /* Translators: the title shown to a child who solved a puzzle */
      show_message (self, _("Great job!"), text, TRUE);
      gtk_widget_grab_focus (self->continue_button);
    }
  else
    {
      /* Translators: the title shown to a child whose program did not solve the puzzle */
      show_message (self, _("Not yet. Try again!"), text, FALSE);
    }

  update_row_marks (self);
  gtk_widget_queue_draw (self->grid_area);
  update_actions (self);
}

/* Runs the program now; the trace is then played by ticks or steps. Returns FALSE when
 * the run ended before its first step (refused, or nothing to do). */
static gboolean
start_run (SyPuzzleView *self)
{
  invalidate_run (self);
  self->tries++;
  sy_puzzle_run (self->puzzle, self->program, &self->result);
  self->has_result = TRUE;
  self->pos = -1;

  if (self->result.trace->len == 0)
    {
      finish_run (self);
      return FALSE;
    }
  update_actions (self);
  return TRUE;
}

/* Shows the next state; at the last one the run ends. */
static void
advance (SyPuzzleView *self)
{
  self->pos++;
  if ((guint) self->pos + 1 >= self->result.trace->len)
    {
      finish_run (self);
      return;
    }
  update_row_marks (self);
  gtk_widget_queue_draw (self->grid_area);
}

static guint
tick_interval (SyPuzzleView *self)
{
  switch (gtk_drop_down_get_selected (GTK_DROP_DOWN (self->speed_dropdown)))
    {
    case 0:
      return SPEED_SLOW_MS;
    case 2:
      return SPEED_FAST_MS;
    case 1:
    default:
      return SPEED_NORMAL_MS;
    }
}

static gboolean
tick_cb (gpointer user_data)
{
  SyPuzzleView *self = user_data;

  advance (self);
  if (self->run_done)
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  SyPuzzleView *self = SY_PUZZLE_VIEW (widget);

  if (self->puzzle == NULL || self->program->len == 0)
    return;
  if (start_run (self))
    self->tick_id = g_timeout_add (tick_interval (self), tick_cb, self);
}

static void
step_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SyPuzzleView *self = SY_PUZZLE_VIEW (widget);

  if (self->puzzle == NULL || self->program->len == 0)
    return;

  /* Stepping takes over a running animation; after the end it starts a new run. */
  stop_animation (self);
  if (!self->has_result || self->run_done)
    {
      if (!start_run (self))
        return;
    }
  advance (self);
}

static void
reset_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  invalidate_run (SY_PUZZLE_VIEW (widget));
}

static void
hint_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SyPuzzleView *self = SY_PUZZLE_VIEW (widget);
  GPtrArray *hints = sy_puzzle_get_hints (self->puzzle);
  g_autofree char *text = NULL;

  if (hints == NULL || self->n_hints_shown >= hints->len)
    return;

  self->n_hints_shown++;
  /* Translators: a hint for a puzzle: "Hint 1 of 3: Look where the robot faces." */
  text = g_strdup_printf (_("Hint %u of %u: %s"), self->n_hints_shown, hints->len,
                          sy_text_get (g_ptr_array_index (hints, self->n_hints_shown - 1), NULL));
  gtk_label_set_label (GTK_LABEL (self->hint_label), text);
  gtk_widget_set_visible (self->hint_label, TRUE);
  /* Translators: the button that shows the puzzle's next hint, after the first */
  gtk_button_set_label (GTK_BUTTON (self->hint_button), _("Next Hint"));
  update_actions (self);
}

static void
continue_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  SyPuzzleView *self = SY_PUZZLE_VIEW (widget);

  if (self->recorded)
    g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

/* ---- editing the program ---- */

static void
program_changed (SyPuzzleView *self)
{
  invalidate_run (self);
  rebuild_program_list (self);
}

static void
remove_block (SyPuzzleView  *self,
              SyBlock       *block)
{
  GPtrArray *parent = find_parent (self->program, block);
  guint index;

  if (parent == NULL || !g_ptr_array_find (parent, block, &index))
    return;

  /* The cursor moves to the block before, or to what held the removed one: the
   * "Otherwise" row when that was an else body. */
  invalidate_run (self);
  if (self->selected != NULL && contains_block (block, self->selected))
    {
      SyBlock *owner = find_owner (self->program, parent);

      self->selected = index > 0 ? g_ptr_array_index (parent, index - 1) : owner;
      self->selected_else = index == 0 && owner != NULL && owner->else_body == parent;
    }
  g_ptr_array_remove_index (parent, index);
  if (parent->len == 0)
    {
      SyBlock *owner = find_owner (self->program, parent);

      if (owner != NULL && owner->else_body == parent)
        g_clear_pointer (&owner->else_body, g_ptr_array_unref);
    }
  program_changed (self);
}

static void
remove_selected_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  SyPuzzleView *self = SY_PUZZLE_VIEW (widget);

  if (self->selected != NULL && !self->selected_else)
    remove_block (self, self->selected);
}

static void
remove_clicked_cb (GtkButton    *button,
                   SyPuzzleView *self)
{
  SyBlock *block = g_object_get_data (G_OBJECT (button), "sy-block");

  remove_block (self, block);
}

static void
add_block (SyPuzzleView *self,
           SyBlockKind   kind)
{
  SyBlock *block = kind == SY_BLOCK_REPEAT ? sy_block_new_repeat (DEFAULT_REPEAT)
                                           : sy_block_new (kind);
  GPtrArray *dest;
  guint index;
  gboolean new_else = FALSE;
  g_autoptr(GError) error = NULL;

  if (self->selected_else && self->selected != NULL)
    {
      if (self->selected->else_body == NULL)
        {
          self->selected->else_body = sy_program_new ();
          new_else = TRUE;
        }
      dest = self->selected->else_body;
      index = dest->len;
    }
  else if (is_container (self->selected))
    {
      dest = self->selected->body;
      index = dest->len;
    }
  else if (self->selected != NULL && (dest = find_parent (self->program, self->selected)) != NULL &&
           g_ptr_array_find (dest, self->selected, &index))
    index++;
  else
    {
      dest = self->program;
      index = dest->len;
    }

  invalidate_run (self);
  g_ptr_array_insert (dest, index, block);

  if (!sy_program_validate (self->program, &error))
    {
      g_ptr_array_remove_index (dest, index);
      if (new_else)
        g_clear_pointer (&self->selected->else_body, g_ptr_array_unref);
      /* Translators: shown when a child puts blocks inside blocks too many times */
      show_message (self, _("That block does not fit there"),
                    _("Blocks can only go four levels deep. Put it somewhere else."), FALSE);
      return;
    }

  self->selected = block;
  self->selected_else = FALSE;
  program_changed (self);
}

static void
palette_clicked_cb (GtkButton    *button,
                    SyPuzzleView *self)
{
  add_block (self, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "sy-kind")));
}

static void
count_changed_cb (GtkSpinButton *spin,
                  SyPuzzleView  *self)
{
  SyBlock *block = g_object_get_data (G_OBJECT (spin), "sy-block");

  block->count = gtk_spin_button_get_value_as_int (spin);
  invalidate_run (self);
}

static void
row_selected_cb (GtkListBox    *list,
                 GtkListBoxRow *row,
                 SyPuzzleView  *self)
{
  SyBlock *else_of = row ? g_object_get_data (G_OBJECT (row), "sy-else-of") : NULL;

  if (self->rebuilding)
    return;
  self->selected_else = else_of != NULL;
  self->selected = else_of ? else_of : row ? g_object_get_data (G_OBJECT (row), "sy-block") : NULL;
  update_actions (self);
}

static GtkWidget *
create_block_row (SyPuzzleView *self,
                  SyBlock      *block,
                  guint         depth)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label;
  GtkWidget *remove;
  g_autofree char *css = NULL;

  g_object_set_data (G_OBJECT (row), "sy-block", block);
  gtk_widget_add_css_class (row, "puzzle-block");
  css = g_strconcat ("puzzle-block-", block_name (block->kind), NULL);
  gtk_widget_add_css_class (row, css);
  gtk_widget_set_margin_start (box, 6 + 22 * depth);
  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (block_icon (block->kind)));

  label = gtk_label_new (block_label (block->kind));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);

  if (block->kind == SY_BLOCK_REPEAT)
    {
      GtkWidget *spin = gtk_spin_button_new_with_range (1, SY_PROGRAM_MAX_REPEAT, 1);

      gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), block->count);
      gtk_widget_set_name (spin, "repeat-count");
      gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
      /* Translators: the accessible name of the number of times a repeat block runs */
      gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Times to repeat"), -1);
      g_object_set_data (G_OBJECT (spin), "sy-block", block);
      g_signal_connect_object (spin, "value-changed", G_CALLBACK (count_changed_cb), self, 0);
      gtk_box_append (GTK_BOX (box), spin);
      /* Translators: after the number in "Repeat [4] times" */
      gtk_box_append (GTK_BOX (box), gtk_label_new (_("times")));
    }

  remove = gtk_button_new_from_icon_name ("edit-delete-symbolic");
  gtk_widget_set_hexpand (remove, TRUE);
  gtk_widget_set_halign (remove, GTK_ALIGN_END);
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_name (remove, "remove-button");
  gtk_widget_add_css_class (remove, "flat");
  /* Translators: tooltip of the button that removes a block from the program */
  gtk_widget_set_tooltip_text (remove, _("Remove this block"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Remove this block"), -1);
  g_object_set_data (G_OBJECT (remove), "sy-block", block);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (remove_clicked_cb), self, 0);
  gtk_box_append (GTK_BOX (box), remove);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

/* The "Otherwise" row of an if-wall-ahead: selecting it puts new blocks in the else body.
 * It is not a block, so it has no remove button and is never marked as played. */
static GtkWidget *
create_else_row (SyBlock *block,
                 guint    depth)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label;

  g_object_set_data (G_OBJECT (row), "sy-else-of", block);
  gtk_widget_set_name (row, "else-row");
  gtk_widget_add_css_class (row, "puzzle-block");
  gtk_widget_add_css_class (row, "puzzle-block-if-wall");
  gtk_widget_add_css_class (row, "puzzle-else-row");
  gtk_widget_set_margin_start (box, 6 + 22 * depth);
  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("go-next-symbolic"));
  /* Translators: a row in a child's program under an “If Wall Ahead” block and its
   * blocks; the blocks after it run when there is no wall ahead */
  label = gtk_label_new (_("Otherwise"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static void
append_rows (SyPuzzleView *self,
             GPtrArray    *blocks,
             guint         depth)
{
  for (guint i = 0; i < blocks->len; i++)
    {
      SyBlock *block = g_ptr_array_index (blocks, i);
      GtkWidget *row = create_block_row (self, block, depth);

      gtk_list_box_append (GTK_LIST_BOX (self->program_list), row);
      if (block == self->selected && !self->selected_else)
        gtk_list_box_select_row (GTK_LIST_BOX (self->program_list), GTK_LIST_BOX_ROW (row));
      if (block->body != NULL)
        append_rows (self, block->body, depth + 1);
      if (block->kind == SY_BLOCK_IF_WALL_AHEAD)
        {
          row = create_else_row (block, depth);
          gtk_list_box_append (GTK_LIST_BOX (self->program_list), row);
          if (block == self->selected && self->selected_else)
            gtk_list_box_select_row (GTK_LIST_BOX (self->program_list), GTK_LIST_BOX_ROW (row));
          if (block->else_body != NULL)
            append_rows (self, block->else_body, depth + 1);
        }
    }
}

static void
update_count (SyPuzzleView *self)
{
  guint n = sy_program_count_blocks (self->program);
  guint max = sy_puzzle_get_max_blocks (self->puzzle);
  g_autofree char *text = NULL;

  if (max > 0)
    /* Translators: blocks used in the program and the most the puzzle allows: "4 / 6 blocks" */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u / %u block", "%u / %u blocks", max),
                            n, max);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u block", "%u blocks", n), n);

  gtk_label_set_label (GTK_LABEL (self->count_label), text);
  if (max > 0 && n > max)
    gtk_widget_add_css_class (self->count_label, "error");
  else
    gtk_widget_remove_css_class (self->count_label, "error");
}

static void
rebuild_program_list (SyPuzzleView *self)
{
  GtkWidget *child;
  GtkWidget *start;
  GtkWidget *label;

  self->rebuilding = TRUE;
  while ((child = gtk_widget_get_first_child (self->program_list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->program_list), child);

  /* Translators: the first row of a child's program, above the blocks; selecting it
   * makes new blocks go at the end */
  label = gtk_label_new (_("When Run is pressed"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_start (label, 6);
  start = gtk_list_box_row_new ();
  gtk_widget_add_css_class (start, "puzzle-start-row");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (start), label);
  gtk_list_box_append (GTK_LIST_BOX (self->program_list), start);
  if (self->selected == NULL)
    gtk_list_box_select_row (GTK_LIST_BOX (self->program_list), GTK_LIST_BOX_ROW (start));

  append_rows (self, self->program, 0);
  self->rebuilding = FALSE;

  update_count (self);
  update_row_marks (self);
  update_actions (self);
}

/* ---- drawing ---- */

static void
star_path (cairo_t *cr,
           double   cx,
           double   cy,
           double   r)
{
  for (int i = 0; i < 10; i++)
    {
      double a = -G_PI / 2 + i * G_PI / 5;
      double rr = i % 2 == 0 ? r : r * 0.45;

      if (i == 0)
        cairo_move_to (cr, cx + rr * cos (a), cy + rr * sin (a));
      else
        cairo_line_to (cr, cx + rr * cos (a), cy + rr * sin (a));
    }
  cairo_close_path (cr);
}

static void
rounded_rect (cairo_t *cr,
              double   x,
              double   y,
              double   w,
              double   h,
              double   r)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

static gboolean
item_collected (SyPuzzleView *self,
                int           x,
                int           y)
{
  for (int i = 0; self->has_result && i <= self->pos; i++)
    {
      const SyRunState *s = &g_array_index (self->result.trace, SyRunState, i);

      if (s->x == x && s->y == y)
        return TRUE;
    }
  return FALSE;
}

static void
draw_grid (GtkDrawingArea *area,
           cairo_t        *cr,
           int             width,
           int             height,
           gpointer        user_data)
{
  SyPuzzleView *self = user_data;
  const SyRunState *state;
  int w, h, sx, sy, gx, gy;
  SyDirection dir;
  double cell, ox, oy, cx, cy, r;
  static const double angle[] = { -G_PI / 2, 0, G_PI / 2, G_PI };

  if (self->puzzle == NULL)
    return;

  w = sy_puzzle_get_width (self->puzzle);
  h = sy_puzzle_get_height (self->puzzle);
  cell = floor (MIN ((width - 8.0) / w, (height - 8.0) / h));
  if (cell < 4)
    return;
  ox = floor ((width - cell * w) / 2);
  oy = floor ((height - cell * h) / 2);

  /* grass and walls */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double px = ox + x * cell, py = oy + y * cell;

        rounded_rect (cr, px + 2, py + 2, cell - 4, cell - 4, cell * 0.12);
        if (sy_puzzle_is_wall (self->puzzle, x, y))
          cairo_set_source_rgb (cr, 0.55, 0.42, 0.36);
        else
          cairo_set_source_rgb (cr, 0.86, 0.94, 0.82);
        cairo_fill (cr);

        if (sy_puzzle_is_wall (self->puzzle, x, y))
          {
            /* bricks */
            cairo_set_source_rgba (cr, 1, 1, 1, 0.25);
            cairo_set_line_width (cr, MAX (1, cell * 0.03));
            for (int row = 1; row < 3; row++)
              {
                cairo_move_to (cr, px + 4, py + row * cell / 3);
                cairo_line_to (cr, px + cell - 4, py + row * cell / 3);
              }
            cairo_stroke (cr);
          }
      }

  /* the path walked so far */
  if (self->has_result)
    {
      sy_puzzle_get_start (self->puzzle, &sx, &sy, &dir);
      cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 0.35);
      cairo_set_line_width (cr, cell * 0.12);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      cairo_move_to (cr, ox + (sx + 0.5) * cell, oy + (sy + 0.5) * cell);
      for (int i = 0; i <= self->pos; i++)
        {
          const SyRunState *s = &g_array_index (self->result.trace, SyRunState, i);

          cairo_line_to (cr, ox + (s->x + 0.5) * cell, oy + (s->y + 0.5) * cell);
        }
      cairo_stroke (cr);
    }

  /* items to collect: stars */
  for (guint i = 0; i < sy_puzzle_get_n_collect_cells (self->puzzle); i++)
    {
      int x, y;

      sy_puzzle_get_collect_cell (self->puzzle, i, &x, &y);
      if (item_collected (self, x, y))
        continue;
      star_path (cr, ox + (x + 0.5) * cell, oy + (y + 0.5) * cell, cell * 0.3);
      cairo_set_source_rgb (cr, 0.96, 0.76, 0.07);
      cairo_fill_preserve (cr);
      cairo_set_source_rgb (cr, 0.80, 0.52, 0.0);
      cairo_set_line_width (cr, MAX (1, cell * 0.03));
      cairo_stroke (cr);
    }

  /* the goal: a red flag */
  sy_puzzle_get_goal (self->puzzle, &gx, &gy);
  cx = ox + gx * cell;
  cy = oy + gy * cell;
  cairo_set_source_rgb (cr, 0.35, 0.25, 0.2);
  cairo_set_line_width (cr, MAX (2, cell * 0.05));
  cairo_move_to (cr, cx + cell * 0.3, cy + cell * 0.85);
  cairo_line_to (cr, cx + cell * 0.3, cy + cell * 0.15);
  cairo_stroke (cr);
  cairo_move_to (cr, cx + cell * 0.3, cy + cell * 0.15);
  cairo_line_to (cr, cx + cell * 0.78, cy + cell * 0.3);
  cairo_line_to (cr, cx + cell * 0.3, cy + cell * 0.45);
  cairo_close_path (cr);
  cairo_set_source_rgb (cr, 0.88, 0.11, 0.14);
  cairo_fill (cr);

  /* the robot */
  state = current_state (self);
  if (state != NULL)
    {
      sx = state->x;
      sy = state->y;
      dir = state->dir;
    }
  else
    sy_puzzle_get_start (self->puzzle, &sx, &sy, &dir);

  cx = ox + (sx + 0.5) * cell;
  cy = oy + (sy + 0.5) * cell;
  r = cell * 0.36;

  /* where a failed run stopped: a red ring, and a cross on the cell it bumped into */
  if (self->run_done && self->result.outcome != SY_RUN_SOLVED)
    {
      cairo_set_source_rgb (cr, 0.88, 0.11, 0.14);
      cairo_set_line_width (cr, MAX (2, cell * 0.06));
      cairo_arc (cr, cx, cy, cell * 0.46, 0, 2 * G_PI);
      cairo_stroke (cr);

      if (self->result.outcome == SY_RUN_HIT_WALL)
        {
          static const int dx[] = { 0, 1, 0, -1 }, dy[] = { -1, 0, 1, 0 };
          double bx = cx + dx[dir] * cell * 0.5, by = cy + dy[dir] * cell * 0.5;
          double k = cell * 0.12;

          cairo_move_to (cr, bx - k, by - k);
          cairo_line_to (cr, bx + k, by + k);
          cairo_move_to (cr, bx + k, by - k);
          cairo_line_to (cr, bx - k, by + k);
          cairo_stroke (cr);
        }
    }

  /* a solved run: a golden ring, the robot is on the flag */
  if (self->run_done && self->result.outcome == SY_RUN_SOLVED)
    {
      cairo_set_source_rgb (cr, 0.96, 0.76, 0.07);
      cairo_set_line_width (cr, MAX (3, cell * 0.08));
      cairo_arc (cr, cx, cy, cell * 0.45, 0, 2 * G_PI);
      cairo_stroke (cr);
    }

  cairo_save (cr);
  cairo_translate (cr, cx, cy);
  cairo_arc (cr, 0, 0, r, 0, 2 * G_PI);
  cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);
  cairo_fill (cr);
  cairo_rotate (cr, angle[dir]);
  cairo_move_to (cr, r * 0.75, 0);
  cairo_line_to (cr, -r * 0.45, -r * 0.55);
  cairo_line_to (cr, -r * 0.15, 0);
  cairo_line_to (cr, -r * 0.45, r * 0.55);
  cairo_close_path (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_fill (cr);
  cairo_restore (cr);
}

/* ---- building the view ---- */

static GtkWidget *
heading (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  return label;
}

static GtkWidget *
build_palette (SyPuzzleView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  const SyBlockKind *kinds;
  guint n_kinds;

  gtk_widget_add_css_class (box, "puzzle-palette");
  /* Translators: the heading above the blocks a child can add to the program */
  gtk_box_append (GTK_BOX (box), heading (_("Blocks")));

  kinds = sy_puzzle_get_blocks (self->puzzle, &n_kinds);
  for (guint i = 0; i < n_kinds; i++)
    {
      GtkWidget *button = gtk_button_new ();
      GtkWidget *content = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
      GtkWidget *icon = gtk_image_new_from_icon_name (block_icon (kinds[i]));
      GtkWidget *label = gtk_label_new (block_label (kinds[i]));
      g_autofree char *name = g_strconcat ("palette-", block_name (kinds[i]), NULL);
      g_autofree char *css = g_strconcat ("puzzle-block-", block_name (kinds[i]), NULL);

      gtk_image_set_icon_size (GTK_IMAGE (icon), GTK_ICON_SIZE_LARGE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_box_append (GTK_BOX (content), icon);
      gtk_box_append (GTK_BOX (content), label);
      gtk_button_set_child (GTK_BUTTON (button), content);
      gtk_widget_set_name (button, name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      block_label (kinds[i]), -1);
      gtk_widget_add_css_class (button, "puzzle-palette-button");
      gtk_widget_add_css_class (button, css);
      /* Translators: tooltip of a palette button: "Add “Forward” to the program" */
      {
        g_autofree char *tip = g_strdup_printf (_("Add “%s” to the program"), block_label (kinds[i]));
        gtk_widget_set_tooltip_text (button, tip);
      }
      g_object_set_data (G_OBJECT (button), "sy-kind", GINT_TO_POINTER (kinds[i]));
      g_signal_connect_object (button, "clicked", G_CALLBACK (palette_clicked_cb), self, 0);
      gtk_box_append (GTK_BOX (box), button);
    }

  /* Translators: the button that shows a hint for the puzzle */
  self->hint_button = gtk_button_new_with_label (_("Show a Hint"));
  gtk_widget_set_name (self->hint_button, "hint-button");
  gtk_widget_set_margin_top (self->hint_button, 12);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->hint_button), "puzzle.hint");
  gtk_box_append (GTK_BOX (box), self->hint_button);
  if (sy_puzzle_get_hints (self->puzzle) == NULL || sy_puzzle_get_hints (self->puzzle)->len == 0)
    gtk_widget_set_visible (self->hint_button, FALSE);

  self->hint_label = gtk_label_new (NULL);
  gtk_widget_set_name (self->hint_label, "hint-label");
  gtk_label_set_wrap (GTK_LABEL (self->hint_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->hint_label), 0);
  gtk_widget_add_css_class (self->hint_label, "puzzle-hint");
  gtk_widget_set_visible (self->hint_label, FALSE);
  gtk_box_append (GTK_BOX (box), self->hint_label);

  gtk_widget_set_size_request (box, 190, -1);
  return box;
}

static GtkWidget *
build_program (SyPuzzleView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *title;

  /* Translators: the heading above the child's program */
  title = heading (_("Your Program"));
  gtk_widget_set_hexpand (title, TRUE);
  gtk_box_append (GTK_BOX (top), title);
  self->count_label = gtk_label_new (NULL);
  gtk_widget_set_name (self->count_label, "count-label");
  gtk_widget_add_css_class (self->count_label, "numeric");
  gtk_box_append (GTK_BOX (top), self->count_label);
  gtk_box_append (GTK_BOX (box), top);

  self->program_list = gtk_list_box_new ();
  gtk_widget_set_name (self->program_list, "program-list");
  gtk_widget_add_css_class (self->program_list, "boxed-list");
  gtk_widget_add_css_class (self->program_list, "puzzle-program");
  gtk_widget_set_valign (self->program_list, GTK_ALIGN_START);
  /* Translators: accessible name of the list of blocks in the child's program */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->program_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Your Program"), -1);
  g_signal_connect_object (self->program_list, "row-selected", G_CALLBACK (row_selected_cb),
                           self, 0);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), self->program_list);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (box), scrolled);

  gtk_widget_set_size_request (box, 270, -1);
  return box;
}

static GtkWidget *
control_button (const char *name,
                const char *icon,
                const char *label,
                const char *action)
{
  GtkWidget *button = gtk_button_new ();

  gtk_button_set_child (GTK_BUTTON (button),
                        g_object_new (ADW_TYPE_BUTTON_CONTENT,
                                      "icon-name", icon, "label", label,
                                      "use-underline", TRUE, NULL));
  gtk_widget_set_name (button, name);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  return button;
}

static GtkWidget *
build_stage (SyPuzzleView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);
  GtkWidget *controls = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *text_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *button;
  const char *speeds[] = {
    /* Translators: animation speeds of the robot */
    N_("Slow"), N_("Normal"), N_("Fast"), NULL
  };
  const char *translated[4];

  self->grid_area = gtk_drawing_area_new ();
  gtk_widget_set_name (self->grid_area, "grid");
  gtk_widget_set_hexpand (self->grid_area, TRUE);
  gtk_widget_set_vexpand (self->grid_area, TRUE);
  gtk_widget_set_size_request (self->grid_area, 240, 180);
  /* Translators: accessible name of the picture of the puzzle's grid */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->grid_area),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The robot’s grid: help it reach the flag"), -1);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->grid_area), draw_grid, self, NULL);
  gtk_box_append (GTK_BOX (box), self->grid_area);

  self->message_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_name (self->message_box, "message-box");
  gtk_widget_add_css_class (self->message_box, "puzzle-message");
  self->message_title = gtk_label_new (NULL);
  gtk_widget_set_name (self->message_title, "message-title");
  gtk_label_set_xalign (GTK_LABEL (self->message_title), 0);
  gtk_widget_add_css_class (self->message_title, "title-3");
  self->message_label = gtk_label_new (NULL);
  gtk_widget_set_name (self->message_label, "message-label");
  gtk_label_set_xalign (GTK_LABEL (self->message_label), 0);
  gtk_label_set_wrap (GTK_LABEL (self->message_label), TRUE);
  gtk_box_append (GTK_BOX (text_box), self->message_title);
  gtk_box_append (GTK_BOX (text_box), self->message_label);
  gtk_widget_set_hexpand (text_box, TRUE);
  gtk_widget_set_valign (text_box, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (self->message_box), text_box);
  /* Translators: the button after a solved puzzle, back to the course */
  self->continue_button = gtk_button_new_with_mnemonic (_("_Continue"));
  gtk_widget_set_name (self->continue_button, "continue-button");
  gtk_widget_set_valign (self->continue_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->continue_button, "suggested-action");
  gtk_widget_add_css_class (self->continue_button, "pill");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->continue_button), "puzzle.continue");
  gtk_box_append (GTK_BOX (self->message_box), self->continue_button);
  gtk_widget_set_visible (self->message_box, FALSE);
  gtk_box_append (GTK_BOX (box), self->message_box);

  /* Translators: runs the child's program (F5) */
  button = control_button ("run-button", "media-playback-start-symbolic", _("_Run"), "puzzle.run");
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_widget_add_css_class (button, "puzzle-run");
  gtk_box_append (GTK_BOX (controls), button);
  /* Translators: runs the child's program one step at a time */
  gtk_box_append (GTK_BOX (controls),
                  control_button ("step-button", "media-skip-forward-symbolic", _("_Step"),
                                  "puzzle.step"));
  /* Translators: puts the robot back at the start */
  gtk_box_append (GTK_BOX (controls),
                  control_button ("reset-button", "edit-undo-symbolic", _("Rese_t"),
                                  "puzzle.reset"));

  for (guint i = 0; speeds[i] != NULL; i++)
    translated[i] = _(speeds[i]);
  translated[3] = NULL;
  self->speed_dropdown = gtk_drop_down_new_from_strings (translated);
  gtk_widget_set_name (self->speed_dropdown, "speed-dropdown");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->speed_dropdown), 1);
  gtk_widget_set_hexpand (self->speed_dropdown, TRUE);
  gtk_widget_set_halign (self->speed_dropdown, GTK_ALIGN_END);
  /* Translators: accessible name of the choice of the robot's speed */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->speed_dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Speed"), -1);
  gtk_widget_set_tooltip_text (self->speed_dropdown, _("Speed"));
  gtk_box_append (GTK_BOX (controls), self->speed_dropdown);
  gtk_box_append (GTK_BOX (box), controls);

  return box;
}

static void
build_view (SyPuzzleView *self)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  const char *file = self->item->file ? sy_text_get (self->item->file, NULL) : NULL;

  if (file != NULL)
    {
      path = g_build_filename (sy_course_get_content_dir (self->course), file, NULL);
      self->puzzle = sy_puzzle_load (path, &error);
    }

  if (self->puzzle == NULL)
    {
      GtkWidget *status = adw_status_page_new ();

      adw_status_page_set_icon_name (ADW_STATUS_PAGE (status), "dialog-warning-symbolic");
      /* Translators: shown when a course's puzzle file is damaged or missing */
      adw_status_page_set_title (ADW_STATUS_PAGE (status), _("This Puzzle Cannot Be Opened"));
      adw_status_page_set_description (ADW_STATUS_PAGE (status),
                                       error ? error->message : _("The puzzle file is missing."));
      self->main_box = status;
      gtk_widget_set_parent (status, GTK_WIDGET (self));
      return;
    }

  self->main_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  gtk_widget_add_css_class (self->main_box, "puzzle-view");
  gtk_box_append (GTK_BOX (self->main_box), build_palette (self));
  gtk_box_append (GTK_BOX (self->main_box), build_program (self));
  gtk_box_append (GTK_BOX (self->main_box), build_stage (self));
  gtk_widget_set_parent (self->main_box, GTK_WIDGET (self));

  rebuild_program_list (self);
}

/* ---- GObject ---- */

static void
sy_puzzle_view_dispose (GObject *object)
{
  SyPuzzleView *self = SY_PUZZLE_VIEW (object);

  stop_animation (self);
  g_clear_pointer (&self->main_box, gtk_widget_unparent);

  G_OBJECT_CLASS (sy_puzzle_view_parent_class)->dispose (object);
}

static void
sy_puzzle_view_finalize (GObject *object)
{
  SyPuzzleView *self = SY_PUZZLE_VIEW (object);

  if (self->has_result)
    sy_run_result_clear (&self->result);
  g_clear_pointer (&self->program, g_ptr_array_unref);
  g_clear_pointer (&self->puzzle, sy_puzzle_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->learner);
  g_clear_object (&self->course);

  G_OBJECT_CLASS (sy_puzzle_view_parent_class)->finalize (object);
}

static void
sy_puzzle_view_class_init (SyPuzzleViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sy_puzzle_view_dispose;
  object_class->finalize = sy_puzzle_view_finalize;

  /**
   * SyPuzzleView::finished:
   *
   * The child pressed Continue after solving the puzzle.
   */
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "puzzle.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "puzzle.step", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "puzzle.reset", NULL, reset_action);
  gtk_widget_class_install_action (widget_class, "puzzle.hint", NULL, hint_action);
  gtk_widget_class_install_action (widget_class, "puzzle.continue", NULL, continue_action);
  gtk_widget_class_install_action (widget_class, "puzzle.remove-selected", NULL,
                                   remove_selected_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "puzzle.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "puzzle.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "puzzle.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0,
                                       "puzzle.remove-selected", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "puzzleview");
}

static void
sy_puzzle_view_init (SyPuzzleView *self)
{
  self->program = sy_program_new ();
  self->pos = -1;
  self->outcome = -1;
  self->opened_us = g_get_monotonic_time ();
}

/**
 * sy_puzzle_view_new:
 * @store: where the solved puzzle is recorded
 * @learner: who is solving it
 * @course: the course of @item
 * @item: a puzzle item of @course
 *
 * Returns: (transfer floating): a new puzzle view
 */
GtkWidget *
sy_puzzle_view_new (SyStore   *store,
                    SyLearner *learner,
                    SyCourse  *course,
                    SyItem    *item)
{
  SyPuzzleView *self;

  g_return_val_if_fail (SY_IS_STORE (store), NULL);
  g_return_val_if_fail (SY_IS_LEARNER (learner), NULL);
  g_return_val_if_fail (SY_IS_COURSE (course), NULL);
  g_return_val_if_fail (item != NULL && item->type == SY_ITEM_PUZZLE, NULL);

  self = g_object_new (SY_TYPE_PUZZLE_VIEW, NULL);
  self->store = g_object_ref (store);
  self->learner = g_object_ref (learner);
  self->course = g_object_ref (course);
  self->item = item;
  build_view (self);
  update_actions (self);

  return GTK_WIDGET (self);
}

/* ---- for tests ---- */

void
_sy_puzzle_view_finish_animation (SyPuzzleView *self)
{
  g_return_if_fail (SY_IS_PUZZLE_VIEW (self));

  while (self->tick_id != 0)
    tick_cb (self);
}

gboolean
_sy_puzzle_view_is_animating (SyPuzzleView *self)
{
  g_return_val_if_fail (SY_IS_PUZZLE_VIEW (self), FALSE);
  return self->tick_id != 0;
}

int
_sy_puzzle_view_get_outcome (SyPuzzleView *self)
{
  g_return_val_if_fail (SY_IS_PUZZLE_VIEW (self), -1);
  return self->outcome;
}

GPtrArray *
_sy_puzzle_view_get_program (SyPuzzleView *self)
{
  g_return_val_if_fail (SY_IS_PUZZLE_VIEW (self), NULL);
  return self->program;
}

SyPuzzle *
_sy_puzzle_view_get_puzzle (SyPuzzleView *self)
{
  g_return_val_if_fail (SY_IS_PUZZLE_VIEW (self), NULL);
  return self->puzzle;
}

int
_sy_puzzle_view_get_position (SyPuzzleView *self)
{
  g_return_val_if_fail (SY_IS_PUZZLE_VIEW (self), -1);
  return self->pos;
}
