using System.Text;

namespace ReplicaKeeper.Standby.Schema;

/// <summary>
/// Guarded triggers. A ROW-format binlog already holds every row a trigger changed on the source, so when
/// ReplicaKeeper applies those rows to a standby or replays them into a restore target, a trigger there must not fire
/// again. Every trigger ReplicaKeeper creates on a target is rewritten so its body runs only outside ReplicaKeeper's
/// own sessions:
/// <code>... FOR EACH ROW [FOLLOWS|PRECEDES other] IF @replicakeeper_applier IS NULL THEN &lt;original body&gt;; END IF</code>
/// ReplicaKeeper's applier and loader sessions run <see cref="MarkSessionSql"/> first; every other session (the
/// clinic's, after promotion) sees the trigger behave exactly as on the source.
/// </summary>
/// <remarks>
/// Understands MySQL and MariaDB CREATE TRIGGER text as the servers print it (SHOW CREATE TRIGGER, the binlog's
/// query events) and as people write it: <c>OR REPLACE</c>, <c>DEFINER=</c>, <c>IF NOT EXISTS</c>,
/// <c>FOLLOWS</c>/<c>PRECEDES</c>, comments (including mysqldump's executable <c>/*!50003 ... */</c> comments),
/// strings and backquoted identifiers, labelled and compound bodies. Strings are read with backslash escapes (the
/// servers' default sql_mode).
/// </remarks>
public static class TriggerGuard
{
    /// <summary>The user variable that marks a session as ReplicaKeeper's own.</summary>
    public const string SessionVariable = "@replicakeeper_applier";

    /// <summary>Run once per connection by every ReplicaKeeper session that writes rows to a target.</summary>
    public const string MarkSessionSql = "SET " + SessionVariable + " = 1";

    private const string GuardOpening = "IF " + SessionVariable + " IS NULL THEN ";
    private const string GuardClosing = "; END IF";

    /// <summary>Whether <paramref name="sql"/> is a CREATE TRIGGER statement (MySQL or MariaDB syntax).</summary>
    public static bool IsCreateTrigger(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        return TriggerKeywordIndex(Tokenize(sql)) >= 0;
    }

    /// <summary>
    /// The statement with its body wrapped in <c>IF @replicakeeper_applier IS NULL THEN ...; END IF</c>. A statement
    /// that is not CREATE TRIGGER, or whose body is already guarded, comes back unchanged.
    /// </summary>
    /// <exception cref="FormatException">A CREATE TRIGGER whose body cannot be found; the message names the trigger.</exception>
    public static string Guard(string createTriggerSql)
    {
        ArgumentNullException.ThrowIfNull(createTriggerSql);
        var tokens = Tokenize(createTriggerSql);
        var trigger = TriggerKeywordIndex(tokens);
        if (trigger < 0)
        {
            return createTriggerSql;
        }

        var (first, last) = FindBody(createTriggerSql, tokens, trigger);
        if (IsGuardedBody(createTriggerSql, tokens, first, last))
        {
            return createTriggerSql;
        }

        var bodyStart = tokens[first].Start;
        var bodyEnd = tokens[last].End;
        return new StringBuilder(createTriggerSql.Length + GuardOpening.Length + GuardClosing.Length)
            .Append(createTriggerSql, 0, bodyStart)
            .Append(GuardOpening)
            .Append(createTriggerSql, bodyStart, bodyEnd - bodyStart)
            .Append(GuardClosing)
            .Append(createTriggerSql, bodyEnd, createTriggerSql.Length - bodyEnd)
            .ToString();
    }

    /// <summary>
    /// Whether a CREATE TRIGGER statement, or a trigger body alone (information_schema.TRIGGERS.ACTION_STATEMENT),
    /// is already guarded.
    /// </summary>
    public static bool IsGuarded(string sqlOrBody)
    {
        ArgumentNullException.ThrowIfNull(sqlOrBody);
        var tokens = Tokenize(sqlOrBody);
        var trigger = TriggerKeywordIndex(tokens);
        if (trigger < 0)
        {
            return IsGuardedBody(sqlOrBody, tokens, 0, LastBodyToken(sqlOrBody, tokens));
        }

        try
        {
            var (first, last) = FindBody(sqlOrBody, tokens, trigger);
            return IsGuardedBody(sqlOrBody, tokens, first, last);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The index of the TRIGGER keyword of <c>CREATE [OR REPLACE] [DEFINER = user] TRIGGER</c>, or -1.</summary>
    private static int TriggerKeywordIndex(List<Token> tokens)
    {
        var i = 0;
        if (!IsWord(tokens, i, "CREATE"))
        {
            return -1;
        }

        i++;
        if (IsWord(tokens, i, "OR") && IsWord(tokens, i + 1, "REPLACE"))
        {
            i += 2;
        }

        if (IsWord(tokens, i, "DEFINER"))
        {
            // DEFINER = 'u'@'h' | `u`@`h` | u@h | CURRENT_USER[()] | role: a handful of tokens, never the bare word TRIGGER
            var limit = Math.Min(tokens.Count, i + 8);
            for (i++; i < limit && !IsWord(tokens, i, "TRIGGER"); i++)
            {
            }
        }

        return IsWord(tokens, i, "TRIGGER") ? i : -1;
    }

    /// <summary>The first and last token of the body: what follows FOR EACH ROW [FOLLOWS|PRECEDES name].</summary>
    private static (int First, int Last) FindBody(string sql, List<Token> tokens, int trigger)
    {
        var nameIndex = trigger + 1;
        if (IsWord(tokens, nameIndex, "IF") && IsWord(tokens, nameIndex + 1, "NOT") && IsWord(tokens, nameIndex + 2, "EXISTS"))
        {
            nameIndex += 3;
        }

        var name = NameAt(sql, tokens, nameIndex);
        var row = -1;
        for (var i = nameIndex; i + 2 < tokens.Count; i++)
        {
            if (IsWord(tokens, i, "FOR") && IsWord(tokens, i + 1, "EACH") && IsWord(tokens, i + 2, "ROW"))
            {
                row = i + 2;
                break;
            }
        }

        if (row < 0)
        {
            throw new FormatException($"Cannot guard trigger {name}: no FOR EACH ROW found in its CREATE TRIGGER statement.");
        }

        var first = row + 1;
        if (IsWord(tokens, first, "FOLLOWS") || IsWord(tokens, first, "PRECEDES"))
        {
            first = SkipName(tokens, first + 1);
        }

        var last = LastBodyToken(sql, tokens);
        if (first > last)
        {
            throw new FormatException($"Cannot guard trigger {name}: its CREATE TRIGGER statement has no body after FOR EACH ROW.");
        }

        return (first, last);
    }

    /// <summary>The last token that is not a trailing statement delimiter (';').</summary>
    private static int LastBodyToken(string sql, List<Token> tokens)
    {
        var last = tokens.Count - 1;
        while (last >= 0 && tokens[last].Kind == TokenKind.Symbol && sql[tokens[last].Start] == ';')
        {
            last--;
        }

        return last;
    }

    /// <summary>Whether tokens first..last read <c>IF @replicakeeper_applier IS NULL THEN ... END IF</c>.</summary>
    private static bool IsGuardedBody(string sql, List<Token> tokens, int first, int last)
    {
        if (first < 0 || last - first < 6)
        {
            return false;
        }

        return IsWord(tokens, first, "IF")
            && tokens[first + 1].Kind == TokenKind.Variable
            && string.Equals(VariableName(sql, tokens[first + 1]), SessionVariable[1..], StringComparison.OrdinalIgnoreCase)
            && IsWord(tokens, first + 2, "IS")
            && IsWord(tokens, first + 3, "NULL")
            && IsWord(tokens, first + 4, "THEN")
            && ((IsWord(tokens, last - 1, "END") && IsWord(tokens, last, "IF")) || EndsWithEndIf(sql));
    }

    /// <summary>
    /// MySQL's information_schema.TRIGGERS.ACTION_STATEMENT shows string literals unescaped ('it''s' as 'it's'), so
    /// its text may not tokenize to the end: then the body's last words are read as plain text.
    /// </summary>
    private static bool EndsWithEndIf(string sql)
    {
        var text = sql.AsSpan().TrimEnd().TrimEnd(';').TrimEnd();
        if (!text.EndsWith("IF", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var beforeIf = text[..^2];
        var end = beforeIf.TrimEnd();
        return end.Length < beforeIf.Length // whitespace between END and IF
            && end.EndsWith("END", StringComparison.OrdinalIgnoreCase)
            && (end.Length == 3 || !IsWordChar(end[^4]));
    }

    private static string VariableName(string sql, Token token)
    {
        var text = sql.AsSpan(token.Start + 1, token.End - token.Start - 1);
        return text.Length >= 2 && text[0] is '`' or '\'' or '"' && text[^1] == text[0]
            ? text[1..^1].ToString()
            : text.ToString();
    }

    /// <summary>The index after a name at <paramref name="i"/>, possibly schema-qualified (name.name).</summary>
    private static int SkipName(List<Token> tokens, int i)
    {
        if (i < tokens.Count && tokens[i].Kind is TokenKind.Word or TokenKind.Quoted)
        {
            i++;
            while (i + 1 < tokens.Count && tokens[i].Dot && tokens[i + 1].Kind is TokenKind.Word or TokenKind.Quoted)
            {
                i += 2;
            }
        }

        return i;
    }

    /// <summary>The trigger's (possibly qualified) name as written, for error messages.</summary>
    private static string NameAt(string sql, List<Token> tokens, int i)
    {
        if (i >= tokens.Count || tokens[i].Kind is not (TokenKind.Word or TokenKind.Quoted))
        {
            return "(unnamed)";
        }

        var end = SkipName(tokens, i) - 1;
        return sql[tokens[i].Start..tokens[end].End];
    }

    private static bool IsWord(List<Token> tokens, int i, string word)
    {
        if (i < 0 || i >= tokens.Count || tokens[i].Kind != TokenKind.Word)
        {
            return false;
        }

        return tokens[i].Text.Equals(word, StringComparison.OrdinalIgnoreCase);
    }

    private enum TokenKind
    {
        /// <summary>A keyword, unquoted identifier or number.</summary>
        Word,

        /// <summary>A `backquoted` or "double-quoted" name.</summary>
        Quoted,

        /// <summary>A 'string'.</summary>
        String,

        /// <summary>@name, @`name`, @'name', @@name.</summary>
        Variable,

        /// <summary>Any other character.</summary>
        Symbol,
    }

    private readonly record struct Token(TokenKind Kind, int Start, int End, string Text, bool Dot);

    /// <summary>
    /// Splits SQL into tokens, dropping whitespace and comments. The markers of an executable comment
    /// (<c>/*!50003</c>, <c>/*M!100100</c> and its closing <c>*/</c>) are dropped too, their contents kept as code.
    /// </summary>
    private static List<Token> Tokenize(string sql)
    {
        var tokens = new List<Token>();
        var inExecutableComment = false;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '#' || (c == '-' && At(sql, i + 1) == '-' && (i + 2 >= sql.Length || char.IsWhiteSpace(sql[i + 2]) || char.IsControl(sql[i + 2]))))
            {
                var newline = sql.IndexOf('\n', i);
                i = newline < 0 ? sql.Length : newline + 1;
            }
            else if (c == '/' && At(sql, i + 1) == '*')
            {
                var executable = At(sql, i + 2) == '!' || (At(sql, i + 2) == 'M' && At(sql, i + 3) == '!');
                if (executable && !inExecutableComment)
                {
                    i += At(sql, i + 2) == '!' ? 3 : 4;
                    while (i < sql.Length && char.IsAsciiDigit(sql[i]))
                    {
                        i++;
                    }

                    inExecutableComment = true;
                }
                else
                {
                    var close = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    i = close < 0 ? sql.Length : close + 2;
                }
            }
            else if (inExecutableComment && c == '*' && At(sql, i + 1) == '/')
            {
                inExecutableComment = false;
                i += 2;
            }
            else if (c is '\'' or '"' or '`')
            {
                var end = QuotedEnd(sql, i);
                tokens.Add(new Token(c == '\'' ? TokenKind.String : TokenKind.Quoted, i, end, string.Empty, false));
                i = end;
            }
            else if (c == '@')
            {
                var end = i + 1;
                if (At(sql, end) == '@')
                {
                    end++;
                }

                end = At(sql, end) is '\'' or '"' or '`' ? QuotedEnd(sql, end) : WordEnd(sql, end);
                tokens.Add(new Token(TokenKind.Variable, i, end, string.Empty, false));
                i = end;
            }
            else if (IsWordChar(c))
            {
                var end = WordEnd(sql, i);
                tokens.Add(new Token(TokenKind.Word, i, end, sql[i..end], false));
                i = end;
            }
            else
            {
                tokens.Add(new Token(TokenKind.Symbol, i, i + 1, string.Empty, c == '.'));
                i++;
            }
        }

        return tokens;
    }

    private static char At(string sql, int i) => i < sql.Length ? sql[i] : '\0';

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '$' || c > 0x7F;

    private static int WordEnd(string sql, int i)
    {
        while (i < sql.Length && IsWordChar(sql[i]))
        {
            i++;
        }

        return i;
    }

    /// <summary>The index just past the quote closing the one at <paramref name="start"/> (doubled quotes and, in strings, backslashes escape).</summary>
    private static int QuotedEnd(string sql, int start)
    {
        var quote = sql[start];
        var i = start + 1;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c == '\\' && quote != '`')
            {
                i += 2;
            }
            else if (c == quote)
            {
                if (At(sql, i + 1) != quote)
                {
                    return i + 1;
                }

                i += 2;
            }
            else
            {
                i++;
            }
        }

        return sql.Length;
    }
}
